/* inspector.h: the state the inspector's files share: inspector.c (the view: update, draw,
 * keys) and inspector_layout.c (the session as lines for a width). */
#ifndef MEMCSESS_INSPECTOR_H
#define MEMCSESS_INSPECTOR_H

#include "views.h"
#include "inspector_fetch.h"
#include "session_decode.h"

enum line_kind { L_META, L_ENTRY, L_CONT, L_NOTE, L_ERROR };

struct line {
	enum line_kind kind;
	int depth;
	const struct pv *node;	/* the container this line folds; NULL if none */
	char *text;
};

/* The inspector's state (the view's st). */
struct inspect {
	struct fetch *f;		/* the shown one */
	struct fetch **old;		/* superseded fetches still running */
	size_t n_old;
	struct pv *root;
	int decoded;			/* root (or info's reason) is from the shown fetch */
	struct decode_info info;
	int all;			/* 1 everything open, -1 everything folded, 0 default */
	const struct pv **toggled;	/* containers flipped from the default */
	size_t n_toggled, cap_toggled;
	struct line *lines;		/* from the last draw */
	size_t n_lines, cap_lines;
	size_t cur, top;
	int rows_shown;
	char *find;
	unsigned results_gen;
};

#endif
