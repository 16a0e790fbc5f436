/* rawread.c: the plainest fast reader of one memcached server, to show what the server and the
 * loopback allow (make bench, figure 9). No parsing beyond what the protocol needs.
 *   rawread metadump HOST PORT > KEYS   streams `lru_crawler metadump hash` (the hash table:
 *     every item once; `all` walks the LRUs and can miss items moving between them), prints each key
 *   rawread mg HOST PORT < KEYS         fetches each value with `mg <key> v`, pipelined in
 *                                       batches of 1000, and throws it away
 *   rawread walk HOST PORT [PORT...]    both on every server at once, a thread each (the keys
 *                                       kept in memory), for pools of hundreds of servers
 *   rawread keys HOST PORT [PORT...]    metadump alone on every server at once: what listing
 *                                       the keys costs, the floor of any complete walk
 * Prints "<items> <bytes>" on stderr (keys seen, or values found and their bytes; walk: values
 * found and their bytes over all servers; keys: keys seen over all servers and 0); exit 1 on
 * any error. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 1000

struct rd {
	int fd;
	char buf[1 << 20];
	size_t pos, len;
};

static void die(const char *what)
{
	fprintf(stderr, "rawread: %s\n", what);
	exit(1);
}

/* Refills r; dies at the end of the stream. */
static void rd_fill(struct rd *r)
{
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len == sizeof(r->buf))
		die("line too long");
	ssize_t n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
	if (n <= 0)
		die("connection closed");
	r->len += (size_t)n;
}

/* The next line without its "\r\n" (valid until the next call); *n its length. */
static const char *rd_line(struct rd *r, size_t *n)
{
	char *nl;
	while (!(nl = memchr(r->buf + r->pos, '\n', r->len - r->pos)))
		rd_fill(r);
	const char *line = r->buf + r->pos;
	*n = (size_t)(nl - line) - (nl > line && nl[-1] == '\r');
	r->pos = (size_t)(nl - r->buf) + 1;
	return line;
}

/* Skips n bytes of the stream. */
static void rd_skip(struct rd *r, size_t n)
{
	while (r->len - r->pos < n) {
		n -= r->len - r->pos;
		r->pos = r->len;
		rd_fill(r);
	}
	r->pos += n;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			die("write failed");
		p += w;
		n -= (size_t)w;
	}
}

static int dial(const char *host, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("cannot connect");
	return fd;
}

static void metadump(struct rd *r)
{
	unsigned long keys = 0, bytes = 0;
	send_all(r->fd, "lru_crawler metadump hash\r\n", 27);
	for (;;) {
		size_t n;
		const char *l = rd_line(r, &n);
		bytes += n + 2;
		if (n == 3 && memcmp(l, "END", 3) == 0)
			break;
		if (n < 4 || memcmp(l, "key=", 4) != 0) {
			fprintf(stderr, "rawread: unexpected: %.*s\n", (int)n, l);
			exit(1);
		}
		const char *sp = memchr(l, ' ', n);
		fwrite(l + 4, 1, (size_t)((sp ? sp : l + n) - l - 4), stdout);
		putchar('\n');
		keys++;
	}
	fprintf(stderr, "%lu %lu\n", keys, bytes);
}

static void mg(struct rd *r)
{
	static char req[BATCH * 270];
	char key[260];
	unsigned long found = 0, bytes = 0;
	int more = 1;
	while (more) {
		size_t len = 0, sent = 0;
		while (sent < BATCH && (more = fgets(key, sizeof(key), stdin) != NULL)) {
			size_t k = strcspn(key, "\r\n");
			len += (size_t)sprintf(req + len, "mg %.*s v\r\n", (int)k, key);
			sent++;
		}
		send_all(r->fd, req, len);
		for (size_t i = 0; i < sent; i++) {
			size_t n;
			const char *l = rd_line(r, &n);
			if (n >= 3 && memcmp(l, "VA ", 3) == 0) {
				size_t vlen = strtoul(l + 3, NULL, 10);
				rd_skip(r, vlen + 2);
				found++;
				bytes += vlen;
			} else if (n != 2 || memcmp(l, "EN", 2) != 0) {
				fprintf(stderr, "rawread: unexpected: %.*s\n", (int)n, l);
				exit(1);
			}
		}
	}
	fprintf(stderr, "%lu %lu\n", found, bytes);
}

/* One server of a walk: its keys from metadump, then their values with pipelined mg. */
struct walk {
	pthread_t tid;
	const char *host, *port;
	int keys_only;
	unsigned long found, bytes;
};

/* The keys of metadump's lines "key=K ...", each followed by '\n', into a new buffer. */
static char *walk_keys(struct rd *r, size_t *n_keys)
{
	size_t cap = 1 << 16, len = 0;
	char *keys = malloc(cap);
	send_all(r->fd, "lru_crawler metadump hash\r\n", 27);
	for (*n_keys = 0;; ++*n_keys) {
		size_t n;
		const char *l = rd_line(r, &n);
		if (n == 3 && memcmp(l, "END", 3) == 0)
			return keys;
		if (n < 4 || memcmp(l, "key=", 4) != 0)
			die("unexpected metadump line");
		const char *sp = memchr(l, ' ', n);
		size_t k = (size_t)((sp ? sp : l + n) - l - 4);
		if (!keys || (len + k + 1 > cap && !(keys = realloc(keys, cap *= 2))))
			die("out of memory");
		memcpy(keys + len, l + 4, k);
		len += k;
		keys[len++] = '\n';
	}
}

static void *walk_one(void *arg)
{
	struct walk *w = arg;
	struct rd *r = calloc(1, sizeof(*r));
	char *req = malloc(BATCH * 270);
	size_t n_keys, done = 0;
	if (!r || !req)
		die("out of memory");
	r->fd = dial(w->host, w->port);
	char *keys = walk_keys(r, &n_keys), *k = keys;
	if (w->keys_only) {
		w->found = n_keys;
		done = n_keys;
	}
	while (done < n_keys) {
		size_t len = 0, sent = 0;
		for (; sent < BATCH && done + sent < n_keys; sent++) {
			char *nl = strchr(k, '\n');
			len += (size_t)sprintf(req + len, "mg %.*s v\r\n", (int)(nl - k), k);
			k = nl + 1;
		}
		send_all(r->fd, req, len);
		for (size_t i = 0; i < sent; i++) {
			size_t n;
			const char *l = rd_line(r, &n);
			if (n >= 3 && memcmp(l, "VA ", 3) == 0) {
				size_t vlen = strtoul(l + 3, NULL, 10);
				rd_skip(r, vlen + 2);
				w->found++;
				w->bytes += vlen;
			} else if (n != 2 || memcmp(l, "EN", 2) != 0) {
				die("unexpected mg reply");
			}
		}
		done += sent;
	}
	close(r->fd);
	free(keys);
	free(req);
	free(r);
	return NULL;
}

/* walk|keys HOST PORT...: every server walked at once, a thread each. */
static void walk(int argc, char **argv)
{
	int keys_only = strcmp(argv[1], "keys") == 0;
	int n = argc - 3;
	struct walk *w = calloc((size_t)n, sizeof(*w));
	unsigned long found = 0, bytes = 0;
	if (!w)
		die("out of memory");
	for (int i = 0; i < n; i++) {
		w[i].host = argv[2];
		w[i].port = argv[3 + i];
		w[i].keys_only = keys_only;
		if (pthread_create(&w[i].tid, NULL, walk_one, &w[i]) != 0)
			die("cannot start a thread");
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		found += w[i].found;
		bytes += w[i].bytes;
	}
	fprintf(stderr, "%lu %lu\n", found, bytes);
	free(w);
}

int main(int argc, char **argv)
{
	static struct rd r;
	if (argc >= 4 && (strcmp(argv[1], "walk") == 0 || strcmp(argv[1], "keys") == 0)) {
		walk(argc, argv);
		return 0;
	}
	if (argc != 4 || (strcmp(argv[1], "metadump") != 0 && strcmp(argv[1], "mg") != 0))
		die("usage: rawread metadump|mg HOST PORT, or rawread walk|keys HOST PORT...");
	r.fd = dial(argv[2], argv[3]);
	if (strcmp(argv[1], "metadump") == 0)
		metadump(&r);
	else
		mg(&r);
	if (fflush(stdout) != 0)
		die("cannot write");
	return 0;
}
