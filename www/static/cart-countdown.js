/*
 * The cart's countdown (templates tickets/buy_hold): the server renders the deadline in JST and
 * the minutes left, which is all a visitor without JavaScript needs. Here the clock ticks down
 * from the seconds the server counted (data-seconds, so the visitor's own clock does not
 * matter) and, at zero, the "hold has lapsed" line shows. Nothing is sent anywhere.
 */
(function () {
	"use strict";
	function pad(n) {
		return n < 10 ? "0" + n : String(n);
	}
	function start(box) {
		var clock = box.querySelector(".hold__clock");
		var lapsed = box.querySelector(".hold__lapsed");
		var left = box.querySelector(".hold__left");
		var ends = Date.now() + 1000 * parseInt(box.getAttribute("data-seconds"), 10);
		function tick() {
			var seconds = Math.max(0, Math.round((ends - Date.now()) / 1000));
			if (clock) {
				clock.textContent = Math.floor(seconds / 60) + ":" + pad(seconds % 60);
			}
			if (seconds === 0) {
				if (lapsed) {
					lapsed.hidden = false;
				}
				if (left) {
					left.hidden = true;
				}
				return;
			}
			window.setTimeout(tick, 1000);
		}
		tick();
	}
	var boxes = document.querySelectorAll("[data-countdown]");
	for (var i = 0; i < boxes.length; i++) {
		start(boxes[i]);
	}
})();
