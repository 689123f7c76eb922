/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TURNOUT_VCARD_ERROR (turnout_vcard_error_quark ())

typedef enum
{
  TURNOUT_VCARD_ERROR_NO_CARDS,      /* the file has no BEGIN:VCARD at all */
  TURNOUT_VCARD_ERROR_UNTERMINATED,  /* a card has no END:VCARD */
  TURNOUT_VCARD_ERROR_NESTING,       /* END:VCARD without BEGIN:VCARD */
  TURNOUT_VCARD_ERROR_MALFORMED,     /* a line that is not a property, or outside any card */
} TurnoutVcardError;

/* Every string is UTF-8 or NULL when the card has no such value. */
typedef struct
{
  char  *first_name;    /* N given name, or FN without its last word */
  char  *last_name;     /* N family name, or the last word of FN */
  char  *full_name;     /* FN, or the given and family names */
  char  *phone;         /* phones[0], as written (a tel: URI without its scheme) */
  char  *email;         /* emails[0] */
  char  *city;          /* the locality of the preferred ADR */
  char  *notes;         /* every NOTE, one per line */
  GStrv  phones;        /* every TEL: mobile first, then by preference; never NULL */
  GStrv  emails;        /* every EMAIL, preferred first; never NULL */
  GStrv  tags;          /* CATEGORIES, one per entry; never NULL */
  guint  line;          /* the line of BEGIN:VCARD, 1-based */
} TurnoutVcardContact;

GQuark      turnout_vcard_error_quark  (void);

void        turnout_vcard_contact_free (TurnoutVcardContact  *contact);
GPtrArray  *turnout_vcard_parse        (GInputStream         *stream,
                                        GPtrArray           **errors,
                                        GCancellable         *cancellable,
                                        GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutVcardContact, turnout_vcard_contact_free)

G_END_DECLS
