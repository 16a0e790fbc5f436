/* shell_complete.h: Tab in memcsess shell. */
#ifndef MEMCSESS_SHELL_COMPLETE_H
#define MEMCSESS_SHELL_COMPLETE_H

#include <histedit.h>

/* The Tab key (an EL_ADDFN function; the shell is the editor's EL_CLIENTDATA). */
unsigned char shell_complete(EditLine *el, int ch);

#endif
