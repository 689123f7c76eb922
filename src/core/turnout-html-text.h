/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The plain-text alternative of an email, made from its HTML so that it
 * reads well as a text email:
 *
 *  - <head>, <script>, <style>, <title>, comments, the doctype, CDATA
 *    sections, and elements hidden with style "display:none" or
 *    "visibility:hidden", the "hidden" attribute or the class "preheader"
 *    are dropped;
 *  - whitespace collapses as a browser collapses it; block elements start
 *    new lines, paragraphs, headings, lists, tables and blockquotes are
 *    set apart by one blank line; <br> ends a line;
 *  - headings keep their text as written (not upper-cased: they may hold
 *    merge fields such as {first_name}, and many scripts have no case);
 *  - list items become "- item", or "1. item" in an <ol>, nested lists
 *    indent by the marker's width; blockquotes are quoted with "> ";
 *  - a link becomes "text (url)", only "url" when its text is the address
 *    itself or empty; mailto: and tel: links show the bare address or
 *    number, and nothing when the text already is it; links to "#…",
 *    javascript:, data: and cid: show only their text;
 *  - an image shows its alt text in brackets, "[Logo]", or nothing;
 *  - a table row of one cell (the usual layout table) is a paragraph of
 *    its own; cells side by side share a line, joined with " | " in a data
 *    table (two or more such rows, or a row with a header cell) and with
 *    two spaces otherwise (a logo beside a link, a row of social icons);
 *  - <hr> is a line of 40 hyphens;
 *  - entities are decoded (named and numeric);
 *  - lines longer than 78 columns are wrapped at spaces, never inside a
 *    word, a URL or a {merge field};
 *  - no line ends in a space, there is never more than one blank line in a
 *    row, and the text ends with a newline ("" when nothing is visible).
 *
 * Any input is accepted, including invalid UTF-8 and broken markup, and the
 * time taken grows linearly with its length.
 */

char *turnout_html_to_text (const char *html);

G_END_DECLS
