/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TurnoutClock    TurnoutClock;
typedef struct _TurnoutSettings TurnoutSettings;
typedef struct _TurnoutStore    TurnoutStore;

G_END_DECLS
