/*
 * sweep_exec.c: the runner of sweep.h. Compute threads take point ids from one counter (and,
 * under MPI, rank 0 hands the same ids to other ranks on request), so a slow point never holds
 * up a queue of fast ones. Finished lines wait in a slot per point; the writer (the calling
 * thread) appends them strictly in point order, each line with one write(2), so the files
 * never depend on who computed what, and a crash tears at most the last line.
 *
 * Memory: a slot per point not yet written (two pointers and a state), allocated in chunks of
 * SLOT_CHUNK as points are handed out and freed once the writer is past them; threads do not
 * run more than WINDOW points ahead of the writer, so slots and buffered lines stay bounded
 * (a few MB, not 24 bytes for each of up to 10^8 points).
 */
#include "experiments/sweep.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef TTSIM_MPI
#include <mpi.h>
#endif

#define WINDOW 4096
#define SLOT_CHUNK 65536L
#define FSYNC_EVERY 256

enum { SLOT_EMPTY, SLOT_DONE, SLOT_FAILED };

struct slot {
	int state;
	char *csv, *jsonl; /* SLOT_DONE: the lines; SLOT_FAILED: csv holds the message */
};

struct pool {
	struct sweep_exec *e;
	pthread_mutex_t mu;
	pthread_cond_t ready;   /* a slot was filled */
	pthread_cond_t room;    /* the writer advanced */
	long next;              /* next id to hand out */
	long written;           /* next id to write */
	int stop;
	struct slot **chunks;   /* slot of id: chunks[i / SLOT_CHUNK][i % SLOT_CHUNK], i = id -
				 * e->start; NULL: not reached yet, or written and freed */
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) { got_signal = sig; }

/* Next id to compute, or -1; called with p->mu held. */
static long take(struct pool *p)
{
	if (p->stop || got_signal || p->next >= p->e->n)
		return -1;
	return p->next++;
}

/* The slot of id, its chunk allocated on first use; with p->mu held. */
static struct slot *slot_at(struct pool *p, long id)
{
	long i = id - p->e->start;
	struct slot **c = &p->chunks[i / SLOT_CHUNK];
	if (!*c)
		*c = xcalloc((size_t)SLOT_CHUNK, sizeof(struct slot));
	return &(*c)[i % SLOT_CHUNK];
}

static void put(struct pool *p, long id, int state, char *csv, char *jsonl)
{
	struct slot *s = slot_at(p, id);
	s->state = state;
	s->csv = csv;
	s->jsonl = jsonl;
	pthread_cond_signal(&p->ready);
}

struct worker_arg {
	struct pool *p;
	int idx;
};

static void *worker_main(void *arg)
{
	struct worker_arg *w = arg;
	struct pool *p = w->p;
	struct sbuf csv = {0}, jsonl = {0};
	for (;;) {
		long id;
		int rc;
		pthread_mutex_lock(&p->mu);
		while (!p->stop && !got_signal && p->next < p->e->n && p->next >= p->written + WINDOW)
			pthread_cond_wait(&p->room, &p->mu);
		id = take(p);
		pthread_mutex_unlock(&p->mu);
		if (id < 0)
			break;
		csv.len = jsonl.len = 0;
		rc = p->e->point(p->e->ctx, w->idx, id, &csv, &jsonl);
		pthread_mutex_lock(&p->mu);
		if (rc < 0)
			put(p, id, SLOT_FAILED, xstrdup(err_msg()), NULL);
		else
			put(p, id, SLOT_DONE, xstrdup(csv.buf), xstrdup(jsonl.buf));
		pthread_mutex_unlock(&p->mu);
	}
	sbuf_release(&csv);
	sbuf_release(&jsonl);
	return NULL;
}

/* One write(2) of the whole line (a short write is retried; only a crash can tear it). */
static int write_line(int fd, const char *s)
{
	size_t n = strlen(s), off = 0;
	if (fd < 0)
		return 0;
	while (off < n) {
		ssize_t k = write(fd, s + off, n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return err_set("cannot write: %s", strerror(errno));
		off += (size_t)k;
	}
	return 0;
}

/* The rate counts the points computed in this run only (d of them since t0); points resumed
 * from the files are said as such, not averaged in as zero-cost or zero-rate points. */
static void progress(struct sweep_exec *e, long done, double t0, int final)
{
	static double last;
	double now = wall_seconds(), el = now - t0, rate, left;
	long n = e->n - e->start, d = done - e->start;
	char rs[48] = "", resumed[48] = "";
	if (!e->progress)
		return;
	if (!final && now - last < (e->progress == 1 ? 0.1 : 5.0))
		return;
	last = now;
	rate = el > 0 ? d / el : 0;
	left = rate > 0 ? (n - d) / rate : 0;
	if (d > 0 && el > 0)
		snprintf(rs, sizeof(rs), "%.1f/s", rate);
	else
		snprintf(rs, sizeof(rs), "-/s");
	if (e->start > 0)
		snprintf(resumed, sizeof(resumed), " (%ld resumed)", e->start);
	if (e->progress == 1) {
		char bar[31];
		int k = e->n ? (int)(30 * done / e->n) : 30;
		for (int i = 0; i < 30; i++)
			bar[i] = i < k ? '#' : '.';
		bar[30] = 0;
		fprintf(stderr, "\r[%s] %ld/%ld %s%s, %s, %.1f s elapsed, %.1f s left ", bar, done,
			e->n, e->what, resumed, rs, el, left);
		if (final)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "sweep: %ld/%ld %s%s, %s, %.1f s elapsed, %.1f s left\n", done, e->n,
			e->what, resumed, rs, el, left);
	}
	fflush(stderr);
}

/* Write every consecutive finished slot; with p->mu held. -1 at a failed point. */
static int drain(struct pool *p, int *since_sync)
{
	struct sweep_exec *e = p->e;
	while (p->written < e->n) {
		struct slot *s = slot_at(p, p->written);
		if (s->state == SLOT_EMPTY)
			return 0;
		if (s->state == SLOT_FAILED) {
			e->failed_id = p->written;
			snprintf(e->failed_msg, sizeof(e->failed_msg), "%s", s->csv);
			return -1;
		}
		if (write_line(e->csv_fd, s->csv) < 0 ||
		    (e->io_error = 2, write_line(e->jsonl_fd, s->jsonl) < 0)) {
			/* not the point's fault: the disk is full or the file cannot grow */
			e->failed_id = p->written;
			if (!e->io_error)
				e->io_error = 1;
			snprintf(e->failed_msg, sizeof(e->failed_msg), "%s", err_msg());
			return -1;
		}
		e->io_error = 0;
		free(s->csv);
		free(s->jsonl);
		s->csv = s->jsonl = NULL;
		p->written++;
		if ((p->written - e->start) % SLOT_CHUNK == 0) {
			/* every point of this chunk is on file: no id here is handed out again */
			long c = (p->written - e->start) / SLOT_CHUNK - 1;
			free(p->chunks[c]);
			p->chunks[c] = NULL;
		}
		if (++*since_sync >= FSYNC_EVERY) {
			*since_sync = 0;
			if (e->csv_fd >= 0)
				fsync(e->csv_fd);
			if (e->jsonl_fd >= 0)
				fsync(e->jsonl_fd);
		}
		pthread_cond_broadcast(&p->room);
	}
	return 0;
}

#ifdef TTSIM_MPI
enum { TAG_REQ = 11, TAG_WORK = 12 };
/* -1 replies each rank gets before it falls silent (see sweep_exec_worker) */
#define REPLIES_AFTER_STOP 2

/* A request: hdr[2] = {id of the result carried (-1: none), its slot state}, the CSV line
 * (or the error message) and the JSONL line, each NUL-terminated. */
static void send_request(struct sbuf *msg, MPI_Request *sent, long long id, int state,
			 const struct sbuf *csv, const struct sbuf *jsonl)
{
	long long hdr[2];
	/* the previous request has long been delivered (a point was computed since): its
	 * buffer is free again */
	MPI_Wait(sent, MPI_STATUS_IGNORE);
	hdr[0] = id;
	hdr[1] = state;
	msg->len = 0;
	sbuf_add(msg, (const char *)hdr, sizeof(hdr));
	sbuf_add(msg, id >= 0 && csv->len ? csv->buf : "", id >= 0 && csv->len ? csv->len + 1 : 1);
	sbuf_add(msg, id >= 0 && jsonl->len ? jsonl->buf : "",
		 id >= 0 && jsonl->len ? jsonl->len + 1 : 1);
	/* not MPI_Send: that waited for rank 0 to take the message, about 2 ms a point on 2
	 * busy cores (rank 0 polls between its own points' work) */
	MPI_Isend(msg->buf, (int)msg->len, MPI_CHAR, 0, TAG_REQ, MPI_COMM_WORLD, sent);
}

/* Rank 0: answer the requests that are waiting; returns the number of -1 replies sent
 * (each rank is done after REPLIES_AFTER_STOP of them). */
static int serve(struct pool *p, char **buf, size_t *cap)
{
	int flag, stopped = 0;
	MPI_Status st;
	for (;;) {
		int count;
		long long hdr[2], next;
		MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQ, MPI_COMM_WORLD, &flag, &st);
		if (!flag)
			return stopped;
		MPI_Get_count(&st, MPI_CHAR, &count);
		xgrow((void **)buf, cap, (size_t)count + 1, 1);
		MPI_Recv(*buf, count, MPI_CHAR, st.MPI_SOURCE, TAG_REQ, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		(*buf)[count] = 0;
		memcpy(hdr, *buf, sizeof(hdr)); /* id (-1 none), state */
		pthread_mutex_lock(&p->mu);
		if (hdr[0] >= 0) {
			char *c = *buf + sizeof(hdr), *j = c + strlen(c) + 1;
			if (hdr[1] == SLOT_FAILED)
				put(p, hdr[0], SLOT_FAILED, xstrdup(c), NULL);
			else
				put(p, hdr[0], SLOT_DONE, xstrdup(c), xstrdup(j));
		}
		/* a remote rank may run ahead of the window by two points: harmless */
		next = take(p);
		pthread_mutex_unlock(&p->mu);
		MPI_Send(&next, 1, MPI_LONG_LONG, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
		stopped += next < 0;
	}
}

/* How long rank 0 may sleep between answering requests (ns). A remote rank holds one id
 * ahead, so an answer is only late if it takes longer than a point: poll at a quarter of the
 * mean point time seen so far, between 0.1 ms and 5 ms. Each poll costs rank 0's cores a
 * wake-up taken from its compute threads, which matters on small machines. */
static long poll_ns(const struct pool *p, int ranks, double t0)
{
	long done = p->written - p->e->start;
	double per_point, ns;
	if (done < 8)
		return 200000;
	per_point = (wall_seconds() - t0) * (p->e->jobs + ranks - 1) / (double)done;
	ns = per_point / 4 * 1e9;
	return ns < 1e5 ? 100000 : ns > 5e6 ? 5000000 : (long)ns;
}

/* Ranks > 0. Each request carries the last result (if any) and asks for one more id; the
 * rank keeps one request ahead, so the next id is already here when a point finishes and the
 * rank never idles on rank 0's answer (rank 0 shares its cores with compute threads and may
 * answer late). Every request gets exactly one reply, ids are never handed out after the
 * first -1, so each rank receives exactly REPLIES_AFTER_STOP replies of -1 and then falls
 * silent: that is how rank 0 knows it is done. */
int sweep_exec_worker(struct sweep_exec *e)
{
	struct sbuf msg = {0}, csv = {0}, jsonl = {0};
	MPI_Request sent = MPI_REQUEST_NULL;
	long long cur, next = -1;
	send_request(&msg, &sent, -1, 0, &csv, &jsonl);
	send_request(&msg, &sent, -1, 0, &csv, &jsonl);
	MPI_Recv(&cur, 1, MPI_LONG_LONG, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	/* from here one request is always outstanding */
	while (cur >= 0) {
		MPI_Request rq;
		int state = SLOT_DONE;
		MPI_Irecv(&next, 1, MPI_LONG_LONG, 0, TAG_WORK, MPI_COMM_WORLD, &rq);
		csv.len = jsonl.len = 0;
		if (e->point(e->ctx, 0, (long)cur, &csv, &jsonl) < 0) {
			state = SLOT_FAILED;
			csv.len = jsonl.len = 0;
			sbuf_printf(&csv, "%s", err_msg());
		}
		MPI_Wait(&rq, MPI_STATUS_IGNORE);
		send_request(&msg, &sent, cur, state, &csv, &jsonl);
		cur = next;
	}
	/* the -1 in cur answered one request; the one outstanding gets the second -1 */
	MPI_Recv(&next, 1, MPI_LONG_LONG, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	if (next >= 0)
		bug("sweep: rank 0 handed out point %lld after stopping", next);
	MPI_Wait(&sent, MPI_STATUS_IGNORE);
	sbuf_release(&msg);
	sbuf_release(&csv);
	sbuf_release(&jsonl);
	return 0;
}
#else
/* Ranks > 0. Each request carries the last result (if any) and asks for one more id; the
 * rank keeps one request ahead, so the next id is already here when a point finishes and the
 * rank never idles on rank 0's answer (rank 0 shares its cores with compute threads and may
 * answer late). Every request gets exactly one reply, ids are never handed out after the
 * first -1, so each rank receives exactly REPLIES_AFTER_STOP replies of -1 and then falls
 * silent: that is how rank 0 knows it is done. */
int sweep_exec_worker(struct sweep_exec *e)
{
	(void)e;
	return 0;
}
#endif

/* Stopping (signal or failure): wake the workers, let their in-flight points finish, and
 * write what is consecutive. Called and returns with p->mu held; returns rc, or -1 on a
 * write error. */
static int finish_workers(struct pool *p, pthread_t *th, int *since_sync, int rc)
{
	pthread_cond_broadcast(&p->room);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->e->jobs; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&p->mu);
	if (!rc && drain(p, since_sync) < 0) /* after a write error, write nothing more */
		rc = -1;
	p->e->jobs = 0;
	return rc;
}

int sweep_exec_run(struct sweep_exec *e)
{
	struct pool p;
	pthread_t *th;
	struct worker_arg *wa;
	struct sigaction sa, old_int, old_term;
	int rc = 0, since_sync = 0, ranks = 1, remote_stopped = 0;
	double t0 = wall_seconds();
#ifdef TTSIM_MPI
	char *mbuf = NULL;
	size_t mcap = 0;
	MPI_Comm_size(MPI_COMM_WORLD, &ranks);
#endif

	memset(&p, 0, sizeof(p));
	p.e = e;
	p.next = p.written = e->start;
	e->failed_id = -1;
	e->io_error = 0;
	e->signal = 0;
	p.chunks = xcalloc((size_t)((e->n - e->start) / SLOT_CHUNK + 1), sizeof(struct slot *));
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.ready, NULL);
	pthread_cond_init(&p.room, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	got_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	th = xcalloc((size_t)e->jobs, sizeof(*th));
	wa = xcalloc((size_t)e->jobs, sizeof(*wa));
	for (int i = 0; i < e->jobs; i++) {
		wa[i].p = &p;
		wa[i].idx = i;
		if (pthread_create(&th[i], NULL, worker_main, &wa[i]))
			bug("pthread_create failed");
	}
	pthread_mutex_lock(&p.mu);
	for (;;) {
		if (drain(&p, &since_sync) < 0) {
			p.stop = 1;
			rc = -1;
		}
		if (p.written >= e->n)
			break;
		if (got_signal)
			p.stop = 1;
		if (p.stop && ranks == 1) {
			/* in-flight points finish; keep what is consecutive */
			rc = finish_workers(&p, th, &since_sync, rc);
			break;
		}
#ifdef TTSIM_MPI
		if (ranks > 1) {
			pthread_mutex_unlock(&p.mu);
			remote_stopped += serve(&p, &mbuf, &mcap);
			pthread_mutex_lock(&p.mu);
			if (p.stop && remote_stopped == REPLIES_AFTER_STOP * (ranks - 1)) {
				rc = finish_workers(&p, th, &since_sync, rc);
				break;
			}
			{
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += poll_ns(&p, ranks, t0);
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
				pthread_cond_timedwait(&p.ready, &p.mu, &ts);
			}
			progress(e, p.written, t0, 0);
			continue;
		}
#endif
		{
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&p.ready, &p.mu, &ts);
		}
		progress(e, p.written, t0, 0);
	}
	pthread_mutex_unlock(&p.mu);
	for (int i = 0; i < e->jobs; i++)
		pthread_join(th[i], NULL);
#ifdef TTSIM_MPI
	/* every rank waiting for work is told to stop (all ids handed out by now) */
	while (ranks > 1 && remote_stopped < REPLIES_AFTER_STOP * (ranks - 1)) {
		p.stop = 1;
		remote_stopped += serve(&p, &mbuf, &mcap);
	}
	free(mbuf);
#endif
	(void)remote_stopped;
	progress(e, p.written, t0, 1);
	if (e->csv_fd >= 0)
		fsync(e->csv_fd);
	if (e->jsonl_fd >= 0)
		fsync(e->jsonl_fd);
	e->done = p.written;
	e->signal = got_signal;
	if (got_signal && p.written < e->n)
		rc = -1;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	for (long c = 0; c <= (e->n - e->start) / SLOT_CHUNK; c++) {
		if (!p.chunks[c])
			continue;
		for (long i = 0; i < SLOT_CHUNK; i++) {
			free(p.chunks[c][i].csv);
			free(p.chunks[c][i].jsonl);
		}
		free(p.chunks[c]);
	}
	free(p.chunks);
	free(th);
	free(wa);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.ready);
	pthread_cond_destroy(&p.room);
	return rc;
}
