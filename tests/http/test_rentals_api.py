"""The rentals JSON API v1 (modules/rentals/api.c, docs/api.md) against the live stack: the rooms
of a tenant with their parts. Rooms are inserted with SQL as the back office will make them
(make_facility); their space ids stand for the venue calendar's spaces."""
import uuid

import requests

from helpers import BASE_URL, TIMEOUT, rentals_tenant as make_tenant, sql


def make_facility(tid):
    """A 市民会館 with a 会議室 (40), a 体育館 divided into A面 and B面, and an inactive room;
    returns the ids {name: id}."""
    out = sql(f"""
        INSERT INTO rentals_facility (tenant_id, name) VALUES ({tid}, '市民会館');
        SET @f = LAST_INSERT_ID();
        INSERT INTO rentals_room (tenant_id, facility_id, space_id, name, capacity, sort_order)
          VALUES ({tid}, @f, 9001, '第1会議室', 40, 1);
        SET @room = LAST_INSERT_ID();
        INSERT INTO rentals_room (tenant_id, facility_id, space_id, name, capacity, sort_order)
          VALUES ({tid}, @f, 9002, '体育館', 300, 2);
        SET @gym = LAST_INSERT_ID();
        INSERT INTO rentals_room (tenant_id, facility_id, parent_room_id, space_id, name, capacity, sort_order)
          VALUES ({tid}, @f, @gym, 9004, 'B面', 150, 2), ({tid}, @f, @gym, 9003, 'A面', 150, 1);
        INSERT INTO rentals_room (tenant_id, facility_id, space_id, name, capacity, active)
          VALUES ({tid}, @f, 9005, '閉鎖中の倉庫', 0, 0);
        SELECT id, name FROM rentals_room WHERE tenant_id = {tid};
    """)
    ids = {}
    for line in out.strip().splitlines():
        room_id, name = line.split("\t")
        ids[name] = int(room_id)
    return ids


def test_rooms_lists_active_rooms_with_their_parts():
    slug, tid = make_tenant()
    ids = make_facility(tid)
    r = requests.get(f"{BASE_URL}/{slug}/api/v1/rooms", timeout=TIMEOUT, verify=False)
    assert r.status_code == 200, r.text
    rooms = r.json()["rooms"]
    names = [room["name"] for room in rooms]
    assert names == ["第1会議室", "体育館", "A面", "B面"]
    gym = next(room for room in rooms if room["name"] == "体育館")
    assert gym["capacity"] == 300
    assert sorted(gym["parts"]) == sorted([ids["A面"], ids["B面"]])
    room = next(room for room in rooms if room["name"] == "第1会議室")
    assert room == {"id": ids["第1会議室"], "name": "第1会議室", "capacity": 40, "parts": []}


def test_rooms_are_the_tenants_own():
    slug, tid = make_tenant()
    make_facility(tid)
    other, _ = make_tenant()
    r = requests.get(f"{BASE_URL}/{other}/api/v1/rooms", timeout=TIMEOUT, verify=False)
    assert r.status_code == 200
    assert r.json() == {"rooms": []}


def test_rooms_needs_the_module():
    slug, tid = make_tenant(modules="tickets")
    r = requests.get(f"{BASE_URL}/{slug}/api/v1/rooms", timeout=TIMEOUT, verify=False)
    assert r.status_code == 404
