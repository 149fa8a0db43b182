/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib-object.h>

#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WeftIrcTextStyle:
 * @WEFT_IRC_TEXT_STYLE_NONE: plain text
 * @WEFT_IRC_TEXT_STYLE_BOLD: bold (`\x02`)
 * @WEFT_IRC_TEXT_STYLE_ITALIC: italic (`\x1D`)
 * @WEFT_IRC_TEXT_STYLE_UNDERLINE: underlined (`\x1F`)
 * @WEFT_IRC_TEXT_STYLE_STRIKETHROUGH: struck through (`\x1E`)
 * @WEFT_IRC_TEXT_STYLE_MONOSPACE: monospace (`\x11`)
 * @WEFT_IRC_TEXT_STYLE_REVERSE: foreground and background swapped (`\x16`)
 *
 * The styles of a run of IRC text.
 */
typedef enum /*< flags >*/ {
  WEFT_IRC_TEXT_STYLE_NONE = 0,
  WEFT_IRC_TEXT_STYLE_BOLD = 1 << 0,
  WEFT_IRC_TEXT_STYLE_ITALIC = 1 << 1,
  WEFT_IRC_TEXT_STYLE_UNDERLINE = 1 << 2,
  WEFT_IRC_TEXT_STYLE_STRIKETHROUGH = 1 << 3,
  WEFT_IRC_TEXT_STYLE_MONOSPACE = 1 << 4,
  WEFT_IRC_TEXT_STYLE_REVERSE = 1 << 5,
} WeftIrcTextStyle;

/**
 * WeftIrcTextSpan:
 * @start: the first byte of the run, in the text without formatting codes
 * @end: the byte after the run
 * @style: the styles of the run
 * @foreground: the foreground colour as an IRC colour number (0 to 98), or
 *   -1 when it is not one (none, or a `\x04` hex colour)
 * @background: the background colour number, or -1
 * @foreground_rgb: the foreground colour as `0xRRGGBB`, or -1 for the
 *   default colour
 * @background_rgb: the background colour as `0xRRGGBB`, or -1
 *
 * One run of formatted text. The offsets are in bytes, as Pango attributes
 * count them.
 */
typedef struct {
  guint start;
  guint end;
  WeftIrcTextStyle style;
  gint foreground;
  gint background;
  gint foreground_rgb;
  gint background_rgb;
} WeftIrcTextSpan;

#define WEFT_IRC_TYPE_TEXT_SPAN (weft_irc_text_span_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
GType weft_irc_text_span_get_type (void) G_GNUC_CONST;
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcTextSpan *weft_irc_text_span_copy (const WeftIrcTextSpan *span);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_text_span_free (WeftIrcTextSpan *span);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftIrcTextSpan, weft_irc_text_span_free)

/**
 * WeftIrcFormattedText:
 *
 * IRC text taken apart: the text without formatting codes, and the runs of
 * it that are styled or coloured, so that a user interface can render it
 * (with Pango attributes, say) without building markup from network text.
 */
typedef struct _WeftIrcFormattedText WeftIrcFormattedText;

#define WEFT_IRC_TYPE_FORMATTED_TEXT (weft_irc_formatted_text_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
GType weft_irc_formatted_text_get_type (void) G_GNUC_CONST;

WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcFormattedText *weft_irc_formatted_text_parse (const char *text, gssize len);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcFormattedText *weft_irc_formatted_text_ref (WeftIrcFormattedText *formatted);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_formatted_text_unref (WeftIrcFormattedText *formatted);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftIrcFormattedText, weft_irc_formatted_text_unref)

WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_formatted_text_get_text (const WeftIrcFormattedText *formatted);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_formatted_text_get_n_spans (const WeftIrcFormattedText *formatted);
WEFT_IRC_AVAILABLE_IN_ALL
const WeftIrcTextSpan *weft_irc_formatted_text_get_span (const WeftIrcFormattedText *formatted, guint index);
WEFT_IRC_AVAILABLE_IN_ALL
const WeftIrcTextSpan *weft_irc_formatted_text_get_spans (const WeftIrcFormattedText *formatted, guint *n_spans);

WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_strip_formatting (const char *text, gssize len) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
gint weft_irc_color_to_rgb (gint color);

G_END_DECLS
