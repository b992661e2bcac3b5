#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "log.h"
#include "serve.h"

enum { MAX_WORKERS = 256, READY_TIMEOUT_MS = 15000, STOP_TIMEOUT_S = 30, BACKLOG = 1024 };

struct worker {
	pid_t pid;        /* 0: the slot is empty */
	time_t started;
	int retiring;     /* SIGTERM sent, waiting for it to exit */
};

static volatile sig_atomic_t got_child, got_hup, got_stop;
static struct worker workers[MAX_WORKERS];
static int listen_fd = -1;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_child = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

static void install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* ---- the worker ---- */

static int fcgi_read(void *io_ctx, char *buf, int len)
{
	return FCGX_GetStr(buf, len, ((FCGX_Request *)io_ctx)->in);
}

static int fcgi_write(void *io_ctx, const char *buf, size_t len)
{
	FCGX_Stream *out = ((FCGX_Request *)io_ctx)->out;
	while (len > 0) {
		int chunk = len > 65536 ? 65536 : (int)len;
		if (FCGX_PutStr(buf, chunk, out) != chunk)
			return -1;
		buf += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

static struct mg_db *worker_connect(const struct mg_config *cfg)
{
	struct mg_db_params params = { cfg->db_socket, cfg->db_host, (unsigned)cfg->db_port,
				       cfg->db_user, cfg->db_password, cfg->db_name };
	struct mg_db *db = NULL;
	enum mg_err err = mg_db_open(&params, &db);
	if (err == MG_ERR_DB_GONE)
		mg_log_warn("worker: database unreachable at start (%s); answering 503 until it is back",
			    db ? mg_db_error(db) : "");
	else if (err != MG_OK)
		mg_log_error("worker: cannot open the database: %s", mg_strerror(err));
	return db;
}

static void worker_loop(struct mg_app *app, int ready_fd)
{
	install(SIGTERM, on_signal, SA_RESTART);
	install(SIGINT, on_signal, SA_RESTART);
	install(SIGHUP, SIG_IGN, 0);
	install(SIGCHLD, SIG_DFL, 0);
	install(SIGPIPE, SIG_IGN, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the master forks with its signals blocked */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	srand((unsigned)(getpid() ^ time(NULL)));

	struct mg_db *db = worker_connect(app->cfg);
	struct mg_arena *arena = mg_arena_new();
	FCGX_Request request;
	FCGX_InitRequest(&request, listen_fd, 0);
	/* tell the master this worker can take requests */
	ssize_t ignored = write(ready_fd, "R", 1);
	(void)ignored;
	close(ready_fd);

	while (!got_stop && db != NULL) {
		struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
		/* poll, not accept, is where an idle worker waits: a signal interrupts it */
		if (poll(&pfd, 1, 1000) <= 0 || got_stop)
			continue;
		/* the socket is non-blocking: another worker may have taken the connection */
		if (FCGX_Accept_r(&request) < 0)
			continue;
		struct mg_http_io io = { request.envp, fcgi_read, fcgi_write, &request };
		mg_http_handle(app, db, arena, &io);
		FCGX_Finish_r(&request);
		mg_http_run_deferred(app, db, arena);
		mg_arena_reset(arena);
	}
	FCGX_Free(&request, 0);
	mg_arena_free(arena);
	mg_db_close(db);
	_exit(db != NULL ? 0 : 1);
}

/* ---- the master ---- */

static pid_t spawn_worker(struct mg_app *app, int slot, int wait_ready)
{
	int pipefd[2];
	if (pipe(pipefd) != 0) {
		mg_log_error("master: pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		mg_log_error("master: fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		worker_loop(app, pipefd[1]);
	}
	close(pipefd[1]);
	workers[slot].pid = pid;
	workers[slot].started = time(NULL);
	workers[slot].retiring = 0;
	if (wait_ready) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		char c;
		if (poll(&pfd, 1, READY_TIMEOUT_MS) != 1 || read(pipefd[0], &c, 1) != 1)
			mg_log_warn("master: worker %ld did not report ready in time", (long)pid);
	}
	close(pipefd[0]);
	mg_log_info("master: worker %ld started", (long)pid);
	return pid;
}

static int find_slot(pid_t pid)
{
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i].pid == pid)
			return i;
	return -1;
}

/* Reaps exited children; starts a replacement for any worker that was not asked to stop. */
static void reap_children(struct mg_app *app)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int slot = find_slot(pid);
		if (slot < 0)
			continue;
		int retiring = workers[slot].retiring;
		time_t lived = time(NULL) - workers[slot].started;
		workers[slot].pid = 0;
		if (retiring || got_stop)
			continue;
		if (WIFSIGNALED(status))
			mg_log_error("master: worker %ld killed by signal %d; starting another", (long)pid,
				     WTERMSIG(status));
		else
			mg_log_error("master: worker %ld exited with %d; starting another", (long)pid,
				     WEXITSTATUS(status));
		if (lived < 1)
			sleep(1); /* a worker that dies at once would otherwise fork in a tight loop */
		spawn_worker(app, slot, 0);
	}
}

static int wait_for_exit(pid_t pid, int seconds)
{
	for (int i = 0; i < seconds * 20; i++) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return 1;
		usleep(50000);
	}
	return 0;
}

static void retire(int slot)
{
	pid_t pid = workers[slot].pid;
	workers[slot].retiring = 1;
	kill(pid, SIGTERM);
	if (!wait_for_exit(pid, STOP_TIMEOUT_S)) {
		mg_log_error("master: worker %ld did not stop in %d s; killing it", (long)pid, STOP_TIMEOUT_S);
		kill(pid, SIGKILL);
		wait_for_exit(pid, 5);
	}
	workers[slot].pid = 0;
}

static void reload_templates(struct mg_app *app)
{
	char errbuf[512];
	struct mg_templates *fresh = NULL;
	if (mg_templates_load(app->cfg->template_dir, &fresh, errbuf, sizeof(errbuf)) != MG_OK) {
		mg_log_error("master: templates not reloaded, keeping the old ones: %s", errbuf);
		return;
	}
	mg_templates_free(app->templates);
	app->templates = fresh;
}

/* After `madoguchi keys rotate` the tenants' keys are wrapped by the new master key. */
static void reload_master_key(struct mg_app *app)
{
	char errbuf[512];
	unsigned char fresh[MG_KEY_BYTES];
	if (mg_master_key_load(app->cfg->master_key_file, fresh, errbuf, sizeof(errbuf)) != MG_OK) {
		mg_log_error("master: master key not reloaded, keeping the old one: %s", errbuf);
		return;
	}
	memcpy(app->master_key, fresh, sizeof(fresh));
	OPENSSL_cleanse(fresh, sizeof(fresh));
}

/* SIGHUP: a fresh worker first, then the old one stops after its current request. */
static void replace_workers(struct mg_app *app)
{
	mg_log_info("master: SIGHUP, replacing workers one by one");
	reload_templates(app);
	reload_master_key(app);
	int n = app->cfg->workers;
	for (int slot = 0; slot < n && !got_stop; slot++) {
		if (workers[slot].pid == 0)
			continue;
		int spare = n + slot; /* the new worker lives in a spare slot until the old one is gone */
		if (spawn_worker(app, spare, 1) < 0)
			continue; /* keep the old worker rather than lose the slot */
		retire(slot);
		workers[slot] = workers[spare];
		workers[spare].pid = 0;
	}
	mg_log_info("master: all workers replaced");
}

static void stop_all(void)
{
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i].pid > 0) {
			workers[i].retiring = 1;
			kill(workers[i].pid, SIGTERM);
		}
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i].pid > 0 && !wait_for_exit(workers[i].pid, STOP_TIMEOUT_S)) {
			kill(workers[i].pid, SIGKILL);
			wait_for_exit(workers[i].pid, 5);
		}
}

static int open_socket(const char *path)
{
	if (FCGX_Init() != 0) {
		mg_log_error("master: FCGX_Init failed");
		return -1;
	}
	unlink(path);
	int fd = FCGX_OpenSocket(path, BACKLOG);
	if (fd < 0) {
		mg_log_error("master: cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	/* nginx runs as another user in production: the folder's permissions guard the socket */
	chmod(path, 0666);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

int mg_serve(struct mg_app *app)
{
	if (app->cfg->workers * 2 > MAX_WORKERS) {
		mg_log_error("master: at most %d workers", MAX_WORKERS / 2);
		return 1;
	}
	if ((listen_fd = open_socket(app->cfg->socket)) < 0)
		return 1;
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	install(SIGCHLD, on_signal, 0);
	install(SIGHUP, on_signal, 0);
	install(SIGTERM, on_signal, 0);
	install(SIGINT, on_signal, 0);
	install(SIGPIPE, SIG_IGN, 0);

	mg_log_info("master: listening on %s with %d workers", app->cfg->socket, app->cfg->workers);
	for (int slot = 0; slot < app->cfg->workers; slot++)
		spawn_worker(app, slot, 0);
	while (!got_stop) {
		if (got_child) {
			got_child = 0;
			reap_children(app);
		}
		if (got_hup && !got_stop) {
			got_hup = 0;
			sigprocmask(SIG_SETMASK, &old, NULL);
			replace_workers(app);
			sigprocmask(SIG_BLOCK, &block, NULL);
			continue; /* a worker may have died meanwhile */
		}
		sigsuspend(&old);
	}
	mg_log_info("master: stopping");
	stop_all();
	close(listen_fd);
	unlink(app->cfg->socket);
	mg_log_info("master: stopped");
	return 0;
}
