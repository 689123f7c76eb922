/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "turnout-html-text.h"
#include "turnout-test-utils.h"

static void
check (const char *html,
       const char *expected)
{
  g_autofree char *text = turnout_html_to_text (html);

  g_assert_cmpstr (text, ==, expected);
}

/* What every output must look like, whatever went in. */
static void
check_shape (const char *html)
{
  g_autofree char *text = turnout_html_to_text (html);
  gsize len;

  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  len = strlen (text);
  if (len == 0)
    return;
  g_assert_cmpint (text[len - 1], ==, '\n');
  g_assert_cmpint (text[0], !=, '\n');
  g_assert_null (strstr (text, "\n\n\n"));
  g_assert_null (strstr (text, " \n"));
  g_assert_null (strstr (text, "\t\n"));
  g_assert_null (strstr (text, "\u00A0"));   /* no-break spaces come out as spaces */
  g_assert_null (strstr (text, "\uFDD0"));   /* the cell mark never leaks */
  g_assert_null (strstr (text, "<script"));
}

/* A responsive, table-based newsletter as mail tools produce them: a
 * preheader, Outlook conditional comments, a ghost table, a two-column row,
 * lists, a data table, a bulletproof button, social icons and a footer. */
static const char newsletter_html[] =
  "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
  "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\">\n"
  "<head>\n"
  "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">\n"
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
  "<title>Northern Lights: September line-up</title>\n"
  "<!--[if mso]>\n"
  "<xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml>\n"
  "<![endif]-->\n"
  "<style type=\"text/css\">\n"
  "  body { margin: 0 !important; padding: 0; }\n"
  "  a[x-apple-data-detectors] { color: inherit !important; }\n"
  "  @media only screen and (max-width: 600px) {\n"
  "    .container { width: 100% !important; }\n"
  "    .stack { display: block !important; width: 100% !important; }\n"
  "  }\n"
  "</style>\n"
  "</head>\n"
  "<body style=\"margin:0; padding:0; background-color:#eeeeee;\">\n"
  "<div class=\"preheader\" style=\"display:none;font-size:1px;color:#eeeeee;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;\">\n"
  "  Three nights, one new venue &amp; early-bird tickets until Friday.&#847;&zwnj;&nbsp;&#847;&zwnj;&nbsp;&#847;&zwnj;&nbsp;\n"
  "</div>\n"
  "<center>\n"
  "<table role=\"presentation\" border=\"0\" cellpadding=\"0\" cellspacing=\"0\" width=\"100%\" bgcolor=\"#eeeeee\">\n"
  "  <tr>\n"
  "    <td align=\"center\" valign=\"top\" style=\"padding:20px 10px;\">\n"
  "      <!--[if (gte mso 9)|(IE)]><table width=\"600\" align=\"center\"><tr><td><![endif]-->\n"
  "      <table role=\"presentation\" class=\"container\" border=\"0\" cellpadding=\"0\" cellspacing=\"0\" width=\"600\" style=\"max-width:600px;\">\n"
  "        <tr>\n"
  "          <td align=\"left\" style=\"padding:10px 0;font-family:Arial,sans-serif;font-size:12px;color:#666666;\">\n"
  "            Can&rsquo;t see the pictures? <a href=\"https://northernlights.example/news/2025-09?utm_source=email&amp;utm_medium=newsletter\" style=\"color:#666666;\">View it in your browser</a>\n"
  "          </td>\n"
  "          <td align=\"right\" style=\"padding:10px 0;\">\n"
  "            <a href=\"https://northernlights.example/\"><img src=\"https://northernlights.example/logo.png\" width=\"120\" height=\"40\" alt=\"Northern Lights\" style=\"display:block;border:0;\"></a>\n"
  "          </td>\n"
  "        </tr>\n"
  "        <tr>\n"
  "          <td colspan=\"2\" bgcolor=\"#ffffff\">\n"
  "            <img src=\"https://northernlights.example/hero.jpg\" width=\"600\" alt=\"\" style=\"display:block;width:100%;height:auto;\">\n"
  "          </td>\n"
  "        </tr>\n"
  "        <tr>\n"
  "          <td colspan=\"2\" bgcolor=\"#ffffff\" style=\"padding:30px 40px 10px;font-family:Arial,sans-serif;font-size:16px;line-height:24px;color:#222222;\">\n"
  "            <h1 style=\"margin:0 0 16px;font-size:28px;line-height:34px;\">September at the Boiler House</h1>\n"
  "            <p style=\"margin:0 0 16px;\">Hi {first_name|there},</p>\n"
  "            <p style=\"margin:0 0 16px;\">Summer&rsquo;s over, but we&rsquo;re just getting started. This month we move into the Boiler House &mdash; a\n"
  "              converted Victorian pump station with room for 400, a proper sound system and a bar that doesn&#39;t run out of ice.\n"
  "              Here&rsquo;s what&rsquo;s on&hellip;</p>\n"
  "          </td>\n"
  "        </tr>\n"
  "        <tr>\n"
  "          <td colspan=\"2\" bgcolor=\"#ffffff\" style=\"padding:0 30px;\">\n"
  "            <table role=\"presentation\" width=\"100%\" border=\"0\" cellpadding=\"0\" cellspacing=\"0\">\n"
  "              <tr>\n"
  "                <td class=\"stack\" width=\"50%\" valign=\"top\" style=\"padding:10px;\">\n"
  "                  <img src=\"https://northernlights.example/a.jpg\" width=\"250\" alt=\"Lena Vos at the decks\">\n"
  "                  <h2 style=\"font-size:20px;margin:12px 0 4px;\">Fri 12 Sep: Lena Vos</h2>\n"
  "                  <p style=\"margin:0;\">Four hours of deep house, all vinyl. Doors 22:00.</p>\n"
  "                </td>\n"
  "                <td class=\"stack\" width=\"50%\" valign=\"top\" style=\"padding:10px;\">\n"
  "                  <img src=\"https://northernlights.example/b.jpg\" width=\"250\" alt=\"\">\n"
  "                  <h2 style=\"font-size:20px;margin:12px 0 4px;\">Sat 20 Sep: The Harbour Lights</h2>\n"
  "                  <p style=\"margin:0;\">Seven-piece soul band with brass. Seated, so book together.</p>\n"
  "                </td>\n"
  "              </tr>\n"
  "            </table>\n"
  "          </td>\n"
  "        </tr>\n"
  "        <tr>\n"
  "          <td colspan=\"2\" bgcolor=\"#ffffff\" style=\"padding:20px 40px;font-family:Arial,sans-serif;font-size:16px;line-height:24px;color:#222222;\">\n"
  "            <p style=\"margin:0 0 8px;\"><strong>Good to know:</strong></p>\n"
  "            <ul style=\"margin:0 0 16px;padding-left:20px;\">\n"
  "              <li>Early-bird tickets are &pound;12 until Friday, then &pound;15.</li>\n"
  "              <li>The venue is step-free, with an accessible toilet on every floor and a quiet room next to the cloakroom if you need a break from the noise.</li>\n"
  "              <li>Last entry is 01:00\n"
  "            </ul>\n"
  "            <p style=\"margin:0 0 8px;\">Getting there:</p>\n"
  "            <ol>\n"
  "              <li>Take the 42 bus to Mill Lane.</li>\n"
  "              <li>Walk past the canal lock &ndash; you&rsquo;ll hear us.</li>\n"
  "            </ol>\n"
  "            <table role=\"presentation\" width=\"100%\" border=\"0\" cellspacing=\"0\" cellpadding=\"4\" style=\"margin:16px 0;\">\n"
  "              <tr><th align=\"left\">Ticket</th><th align=\"left\">Price</th><th align=\"left\">Left</th></tr>\n"
  "              <tr><td>Early bird</td><td>&pound;12.00</td><td>38</td></tr>\n"
  "              <tr><td>Standard</td><td>&pound;15.00</td><td>200</td></tr>\n"
  "            </table>\n"
  "          </td>\n"
  "        </tr>\n"
  "        <tr>\n"
  "          <td colspan=\"2\" align=\"center\" bgcolor=\"#ffffff\" style=\"padding:10px 40px 30px;\">\n"
  "            <table role=\"presentation\" border=\"0\" cellspacing=\"0\" cellpadding=\"0\">\n"
  "              <tr>\n"
  "                <td align=\"center\" bgcolor=\"#d6336c\" style=\"border-radius:4px;mso-padding-alt:14px 28px;\">\n"
  "                  <!--[if mso]><v:roundrect href=\"https://tickets.example/nl/september\" style=\"height:44px;width:200px;\" arcsize=\"10%\" fillcolor=\"#d6336c\"><center>Book tickets</center></v:roundrect><![endif]-->\n"
  "                  <!--[if !mso]><!-- --><a href=\"https://tickets.example/nl/september\" style=\"display:inline-block;padding:14px 28px;color:#ffffff;text-decoration:none;font-weight:bold;\">Book tickets</a><!--<![endif]-->\n"
  "                </td>\n"
  "              </tr>\n"
  "            </table>\n"
  "          </td>\n"
  "        </tr>\n"
  "        <tr>\n"
  "          <td colspan=\"2\" style=\"padding:20px 40px;font-family:Arial,sans-serif;font-size:12px;line-height:18px;color:#666666;\" align=\"center\">\n"
  "            <table role=\"presentation\" border=\"0\" cellspacing=\"0\" cellpadding=\"0\" align=\"center\">\n"
  "              <tr>\n"
  "                <td style=\"padding:0 6px;\"><a href=\"https://instagram.com/northernlights.example\"><img src=\"ig.png\" width=\"24\" alt=\"Instagram\"></a></td>\n"
  "                <td width=\"12\">&nbsp;</td>\n"
  "                <td style=\"padding:0 6px;\"><a href=\"https://facebook.com/northernlights.example\"><img src=\"fb.png\" width=\"24\" alt=\"Facebook\"></a></td>\n"
  "              </tr>\n"
  "            </table>\n"
  "            <p>Questions? Write to <a href=\"mailto:hello@northernlights.example\">hello@northernlights.example</a> or <a href=\"mailto:Box%20Office%20%3Cbox@northernlights.example%3E?subject=Tickets\">the box office</a>, or call <a href=\"tel:+441234567890\">+44 1234 567890</a>.</p>\n"
  "            <p>Northern Lights Events Ltd<br>\n"
  "            Unit 4, Canal Wharf<br>Leeds LS1 4AB</p>\n"
  "            <p>You&rsquo;re receiving this because you bought a ticket from us. <a href=\"{unsubscribe}\">Unsubscribe</a> &middot; <a href=\"https://northernlights.example/prefs\">Email preferences</a></p>\n"
  "            <p style=\"font-size:11px;\">&copy; 2025 Northern Lights. Full terms at https://northernlights.example/terms-and-conditions/events/2025/september-boiler-house-series</p>\n"
  "          </td>\n"
  "        </tr>\n"
  "      </table>\n"
  "      <!--[if (gte mso 9)|(IE)]></td></tr></table><![endif]-->\n"
  "    </td>\n"
  "  </tr>\n"
  "</table>\n"
  "</center>\n"
  "<img src=\"https://track.example/open.gif?id=123\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;\">\n"
  "</body>\n"
  "</html>\n";

static const char newsletter_text[] =
  "Can’t see the pictures? View it in your browser\n"
  "(https://northernlights.example/news/2025-09?utm_source=email&utm_medium=newsletter)\n"
  "[Northern Lights] (https://northernlights.example/)\n"
  "\n"
  "September at the Boiler House\n"
  "\n"
  "Hi {first_name|there},\n"
  "\n"
  "Summer’s over, but we’re just getting started. This month we move into the\n"
  "Boiler House — a converted Victorian pump station with room for 400, a proper\n"
  "sound system and a bar that doesn't run out of ice. Here’s what’s on…\n"
  "\n"
  "[Lena Vos at the decks]\n"
  "\n"
  "Fri 12 Sep: Lena Vos\n"
  "\n"
  "Four hours of deep house, all vinyl. Doors 22:00.\n"
  "\n"
  "Sat 20 Sep: The Harbour Lights\n"
  "\n"
  "Seven-piece soul band with brass. Seated, so book together.\n"
  "\n"
  "Good to know:\n"
  "\n"
  "- Early-bird tickets are £12 until Friday, then £15.\n"
  "- The venue is step-free, with an accessible toilet on every floor and a quiet\n"
  "  room next to the cloakroom if you need a break from the noise.\n"
  "- Last entry is 01:00\n"
  "\n"
  "Getting there:\n"
  "\n"
  "1. Take the 42 bus to Mill Lane.\n"
  "2. Walk past the canal lock – you’ll hear us.\n"
  "\n"
  "Ticket | Price | Left\n"
  "Early bird | £12.00 | 38\n"
  "Standard | £15.00 | 200\n"
  "\n"
  "Book tickets (https://tickets.example/nl/september)\n"
  "\n"
  "[Instagram] (https://instagram.com/northernlights.example)  [Facebook]\n"
  "(https://facebook.com/northernlights.example)\n"
  "\n"
  "Questions? Write to hello@northernlights.example or the box office\n"
  "(box@northernlights.example), or call +44 1234 567890.\n"
  "\n"
  "Northern Lights Events Ltd\n"
  "Unit 4, Canal Wharf\n"
  "Leeds LS1 4AB\n"
  "\n"
  "You’re receiving this because you bought a ticket from us. Unsubscribe\n"
  "({unsubscribe}) · Email preferences (https://northernlights.example/prefs)\n"
  "\n"
  "© 2025 Northern Lights. Full terms at\n"
  "https://northernlights.example/terms-and-conditions/events/2025/september-boiler-house-series\n";

static void
test_newsletter (void)
{
  check (newsletter_html, newsletter_text);
}

static void
test_empty (void)
{
  check (NULL, "");
  check ("", "");
  check ("   \n\t ", "");
  check ("<p></p><div>&nbsp;</div><br><br>", "");
  check ("<html><head><title>Only a title</title></head><body></body></html>", "");
  check ("<!-- just a comment -->", "");
}

static void
test_entities (void)
{
  check ("&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39; &apos;", "<b> & \"q\" 's' '\n");
  check ("&hellip; &mdash; &ndash; &rsquo;&lsquo; &ldquo;&rdquo;", "… — – ’‘ “”\n");
  check ("&euro;5 &pound;4 &copy; &reg; &trade; &deg;", "€5 £4 © ® ™ °\n");
  check ("&eacute;t&eacute; &Eacute; &uuml; &szlig; &ntilde;", "été É ü ß ñ\n");
  check ("&#233; &#xE9; &#XE9; &#x1F3B5; &#8364;", "é é é 🎵 €\n");
  /* Numbers browsers read as Windows-1252, and ones that are no character. */
  check ("&#146;&#150;&#128;", "’–€\n");
  check ("a&#0;b &#xD800;c &#99999999999;d", "a\uFFFDb \uFFFDc \uFFFDd\n");
  /* Without a semicolon only the old names count; unknown ones stay. */
  check ("&amp &copy 2025 &nbspx", "& © 2025 x\n");
  check ("&bogus; &; & &#; &#x;", "&bogus; &; & &#; &#x;\n");
  check ("AT&T", "AT&T\n");
}

static void
test_whitespace (void)
{
  check ("  Hello \n\n   world\t!  ", "Hello world !\n");
  check ("<b>Bold</b><i>italic</i> <span> spaced </span> end", "Bolditalic spaced end\n");
  /* A no-break space keeps words apart but is no space at a line's edge. */
  check ("&nbsp;&nbsp;Indented&nbsp;&nbsp;words&nbsp;", "Indented words\n");
  /* Zero-width padding and soft hyphens are dropped. */
  check ("pre&zwnj;&#8203;view&shy;text&#xFEFF;", "pre\u200Cviewtext\n");
  check ("a\r\nb\fc", "a b c\n");
}

static void
test_blocks (void)
{
  check ("<p>One</p><p>Two</p>", "One\n\nTwo\n");
  check ("<div>One</div><div>Two</div>", "One\nTwo\n");
  check ("<div>One</div><div><br></div><div>Two</div>", "One\n\nTwo\n");
  check ("One<br>Two<br><br>Three<br><br><br><br>Four", "One\nTwo\n\nThree\n\nFour\n");
  check ("<div>Line<br></div><div>Next</div>", "Line\nNext\n");
  check ("<p>Unclosed<p>paragraphs<div>and a div</div>", "Unclosed\n\nparagraphs\n\nand a div\n");
  check ("Text</p>More", "Text\n\nMore\n");
  check ("<h1>Big news</h1><p>Body</p><h2>Smaller</h2>Text",
         "Big news\n\nBody\n\nSmaller\n\nText\n");
  /* Headings keep their case: they may hold merge fields. */
  check ("<h1>Hi {first_name|there}</h1>", "Hi {first_name|there}\n");
  check ("Above<hr>Below",
         "Above\n\n----------------------------------------\n\nBelow\n");
  check ("<section><header>Head</header><article>Body</article><footer>Foot</footer></section>",
         "Head\nBody\nFoot\n");
}

static void
test_lists (void)
{
  check ("<p>Bring:</p><ul><li>ID</li><li>Ticket</li></ul><p>Thanks</p>",
         "Bring:\n\n- ID\n- Ticket\n\nThanks\n");
  check ("<ol><li>First<li>Second<li>Third</ol>", "1. First\n2. Second\n3. Third\n");
  check ("<ol start=\"9\"><li>Nine</li><li>Ten</li><li value=\"20\">Twenty</li><li>Next</li></ol>",
         "9. Nine\n10. Ten\n20. Twenty\n21. Next\n");
  check ("<ul><li>Outer<ul><li>Inner one</li><li>Inner two</li></ul></li><li>Back</li></ul>",
         "- Outer\n  - Inner one\n  - Inner two\n- Back\n");
  check ("<ol><li>Step<ol><li>Sub</li></ol></li></ol>", "1. Step\n   1. Sub\n");
  /* A wrapped item lines up under its text. */
  check ("<ul><li>The venue is step-free, with an accessible toilet on every floor and a "
         "quiet room next to the cloakroom.</li></ul>",
         "- The venue is step-free, with an accessible toilet on every floor and a quiet\n"
         "  room next to the cloakroom.\n");
  check ("<ul><li><p>Para one</p><p>Para two</p></li></ul>", "- Para one\n\n  Para two\n");
  check ("<li>Stray item</li>", "- Stray item\n");
  check ("<dl><dt>Doors</dt><dd>20:00</dd><dt>Ends</dt><dd>02:00</dd></dl>",
         "Doors\n  20:00\nEnds\n  02:00\n");
}

static void
test_links (void)
{
  check ("<a href=\"https://example.com/tickets\">Get tickets</a>",
         "Get tickets (https://example.com/tickets)\n");
  /* The text is the address: shown once. */
  check ("<a href=\"https://example.com/\">https://example.com/</a>", "https://example.com/\n");
  check ("<a href=\"https://www.example.com/\">example.com</a>", "example.com\n");
  /* mailto: and tel: show the bare address. */
  check ("<a href=\"mailto:hi@example.com\">hi@example.com</a>", "hi@example.com\n");
  check ("<a href=\"mailto:hi@example.com?subject=Hello%20there\">Write to us</a>",
         "Write to us (hi@example.com)\n");
  check ("<a href=\"mailto:Box%20Office%20%3Cbox@example.com%3E\">the box office</a>.",
         "the box office (box@example.com).\n");
  check ("<a href=\"tel:+15550100\">+1 555 0100</a> or <a href=\"tel:+15550100\">call</a>",
         "+1 555 0100 or call (+15550100)\n");
  check ("<a href=\"tel:+1 (555) 010-0199\">(555) 010-0199</a> or <a href=\"tel:+15550100199\">555 0100</a>",
         "(555) 010-0199 or 555 0100 (+15550100199)\n");
  /* Entities in the address are decoded, stray spaces and line breaks
   * removed or escaped. */
  check ("<a href=\" https://example.com/?a=1&amp;b=2&copy=3\n&amp;c=a b \">Link</a>",
         "Link (https://example.com/?a=1&b=2&copy=3&c=a%20b)\n");
  /* A link with no text shows its address; dead links show only text. */
  check ("<a href=\"https://example.com/x\"><img src=\"x.png\" alt=\"\"></a>",
         "https://example.com/x\n");
  check ("<a href=\"#top\">Back to top</a> <a href=\"javascript:void(0)\">Menu</a> <a>Plain</a>",
         "Back to top Menu Plain\n");
  check ("Read <a href=\"https://example.com/a\">this</a>, then <a href=\"https://example.com/b\">that</a>.",
         "Read this (https://example.com/a), then that (https://example.com/b).\n");
  /* An unclosed link ends at the next one. */
  check ("<a href=\"https://example.com/1\">One <a href=\"https://example.com/2\">Two</a>",
         "One (https://example.com/1) Two (https://example.com/2)\n");
  check ("<a href=\"{unsubscribe}\">Unsubscribe</a>", "Unsubscribe ({unsubscribe})\n");
  /* Hidden links leave nothing behind. */
  check ("A<span style=\"display:none\"><a href=\"https://example.com/\">x</a></span>B", "AB\n");
}

static void
test_images (void)
{
  check ("<img src=\"logo.png\" alt=\"Northern  Lights\">", "[Northern Lights]\n");
  check ("Before<img src=\"spacer.gif\" alt=\"\">after<img src=\"x.gif\">", "Beforeafter\n");
  check ("See <img alt=\"map\">, then go", "See [map], then go\n");
  check ("<a href=\"https://example.com/\"><img alt=\"Logo\"></a>", "[Logo] (https://example.com/)\n");
  check ("<img alt=\"Hidden\" style=\"display: none\">Shown", "Shown\n");
}

static void
test_tables (void)
{
  /* Layout tables: one cell per row reads as paragraphs, no bars. */
  check ("<table width=\"100%\"><tr><td align=\"center\">"
         "<table width=\"600\"><tr><td>Header</td></tr>"
         "<tr><td>First block of text.</td></tr>"
         "<tr><td height=\"20\" style=\"font-size:0\">&nbsp;</td></tr>"
         "<tr><td>Second block.</td></tr></table>"
         "</td></tr></table>",
         "Header\n\nFirst block of text.\n\nSecond block.\n");
  /* Data tables: cells joined with bars, one row per line. */
  check ("<p>Your order:</p><table><tr><th>Ticket</th><th>Qty</th><th>Price</th></tr>"
         "<tr><td>General</td><td>2</td><td>&euro;40</td></tr></table><p>Thanks</p>",
         "Your order:\n\nTicket | Qty | Price\nGeneral | 2 | €40\n\nThanks\n");
  check ("<table><tr><td>Date</td><td>Sat</td></tr><tr><td>Venue</td><td>Hall</td></tr></table>",
         "Date | Sat\nVenue | Hall\n");
  /* One row of cells side by side, such as social icons: spaces only. */
  check ("<table><tr><td><a href=\"https://ig.example/\"><img alt=\"Instagram\"></a></td>"
         "<td width=\"10\">&nbsp;</td>"
         "<td><a href=\"https://fb.example/\"><img alt=\"Facebook\"></a></td></tr></table>",
         "[Instagram] (https://ig.example/)  [Facebook] (https://fb.example/)\n");
  /* Cells with blocks inside stack up. */
  check ("<table><tr><td><h2>Left</h2><p>One</p></td><td><h2>Right</h2><p>Two</p></td></tr></table>",
         "Left\n\nOne\n\nRight\n\nTwo\n");
  /* Unclosed cells and rows close each other. */
  check ("<table><tr><td>a<td>b<tr><td>c<td>d</table>", "a | b\nc | d\n");
  check ("<table><td>a<td>b</table><table><th>Key<td>Value</table>", "a  b\n\nKey | Value\n");
  /* A stray end tag inside a cell cannot close it. */
  check ("<table><tr><td>a</span></div>b</td><td>c</td></tr><tr><td>d</td><td>e</td></tr></table>",
         "ab | c\nd | e\n");
}

static void
test_hidden (void)
{
  check ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Title</title>"
         "<style>p {{ color: red; }} .a > .b {{ }}</style>"
         "<script>if (a < b && c > d) document.write('<p>no</p>');</script>"
         "</head><body><p>Body</p></body></html>",
         "Body\n");
  check ("<span class=\"preheader\" style=\"color:#fff\">Preview text</span><p>Body</p>", "Body\n");
  check ("<div class=\"wrapper preHeader\">Preview</div>Body", "Body\n");
  check ("<div style=\"display:none;max-height:0\">A</div>"
         "<div style=\"DISPLAY : NONE !important\">B</div>"
         "<div style=\"visibility: hidden\">C</div>"
         "<div hidden>D</div>"
         "<div style=\"mso-hide:all\">Shown outside Outlook</div>",
         "Shown outside Outlook\n");
  check ("Keep<!-- a comment <p>with tags</p> -->this", "Keepthis\n");
  check ("a<!---->b<!-->c<!--->d<!-- x --!>e", "abcde\n");
  check ("<![CDATA[ dropped ]]>kept", "kept\n");
  check ("<!--[if mso]><table><tr><td>Outlook only</td></tr></table><![endif]-->"
         "<!--[if !mso]><!-- -->Everyone else<!--<![endif]-->",
         "Everyone else\n");
  check ("<![if !mso]>Downlevel revealed<![endif]>", "Downlevel revealed\n");
  check ("<?xml version=\"1.0\"?><p>After a processing instruction</p>", "After a processing instruction\n");
  check ("<svg><text>Vector</text></svg><select><option>One</option></select>Visible", "Visible\n");
  check ("<template><p>Later</p></template><textarea>raw <b>text</b></textarea>Now", "Now\n");
  /* An unclosed <head> ends where the body starts. */
  check ("<head><title>T</title><p>Body text</p>", "Body text\n");
  check ("<head><meta name=x>Stray text</head>", "Stray text\n");
}

static void
test_quotes_and_pre (void)
{
  check ("<p>She said:</p><blockquote><p>Best night</p><p>of the year</p></blockquote><p>Ok</p>",
         "She said:\n\n> Best night\n>\n> of the year\n\nOk\n");
  check ("<blockquote>Outer<blockquote>Inner</blockquote></blockquote>", "> Outer\n>\n> > Inner\n");
  check ("<pre>\n  line  one\n\n    two\t</pre>after", "  line  one\n\n    two\n\nafter\n");
  check ("<pre>A very long preformatted line that is never wrapped however long it is, because it is code</pre>",
         "A very long preformatted line that is never wrapped however long it is, because it is code\n");
}

static void
test_wrap (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  check ("Doors open at eight and the first act is on at nine, so come early and grab a drink at the bar.",
         "Doors open at eight and the first act is on at nine, so come early and grab a\n"
         "drink at the bar.\n");
  /* Exactly 78 columns fit. */
  check ("aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhh",
         "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhh\n");
  check ("aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh",
         "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg\n"
         "hhhhhhhhh\n");
  /* A URL longer than a line stays whole on a line of its own. */
  check ("Terms: https://example.com/terms/and/conditions/for/the/whole/season/of/events/2025/autumn.",
         "Terms:\n"
         "https://example.com/terms/and/conditions/for/the/whole/season/of/events/2025/autumn.\n");
  check ("All the small print lives here: <a href=\"https://example.com/a/really/long/address/for/the/terms\">terms</a>",
         "All the small print lives here: terms\n"
         "(https://example.com/a/really/long/address/for/the/terms)\n");
  /* A merge field with spaces in its fallback is one word. */
  check ("We would be very happy to see you at the show, and so would everybody {first_name|else at the bar}!",
         "We would be very happy to see you at the show, and so would everybody\n"
         "{first_name|else at the bar}!\n");
  check ("Literal braces {{ are not a field so they can wrap like any other words at all }} right here",
         "Literal braces {{ are not a field so they can wrap like any other words at all\n"
         "}} right here\n");
  /* Wide characters count two columns. */
  text = turnout_html_to_text ("日本語のテキストは二桁の幅で数えます 日本語のテキストは二桁の幅で数えます 日本語のテキストは二桁の幅で数えます");
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "日本語のテキストは二桁の幅で数えます 日本語のテキストは二桁の幅で数えます");
  g_assert_cmpstr (lines[1], ==, "日本語のテキストは二桁の幅で数えます");
  /* The bar between cells never starts a line. */
  check ("<table><tr><td>A fairly long first cell with some words in it</td>"
         "<td>and a second cell that will not fit</td></tr>"
         "<tr><td>x</td><td>y</td></tr></table>",
         "A fairly long first cell with some words in it | and a second cell that will\n"
         "not fit\n"
         "x | y\n");
}

static void
test_malformed (void)
{
  check ("a < b and c > d, 1 <2", "a < b and c > d, 1 <2\n");
  check ("Unclosed <!-- comment runs to the end <p>gone</p>", "Unclosed\n");
  check ("Cut off <a href=\"https://exa", "Cut off\n");
  check ("Cut off <p class=x", "Cut off\n");
  check ("Ends with </", "Ends with </\n");
  check ("Bogus </3 comment> and </> nothing", "Bogus and nothing\n");
  check ("<script>never closed <p>hidden", "");
  check ("<style>never closed", "");
  check ("<p title='it\"s' data-x=a>b=c</p>", "b=c\n");
  check ("<div <p>>text", ">text\n");
  check ("</div></td></table></ul></a></html>After stray end tags", "After stray end tags\n");
  check ("<b><i>mis</b>nested</i> tags", "misnested tags\n");
  check ("<A HREF=\"HTTPS://EXAMPLE.COM/\">Upper</A><BR>Case", "Upper (HTTPS://EXAMPLE.COM/)\nCase\n");
  check ("<p/>Self-closing<br/>tags<img alt='x'/>", "Self-closing\ntags [x]\n");
  check ("Invalid \xff\xfe UTF-8 \xe2\x80", "Invalid \uFFFD\uFFFD UTF-8 \uFFFD\uFFFD\n");
  check ("<p =a b=\"1\" =>Odd attributes</p>", "Odd attributes\n");
}

/* Pieces of HTML that make trouble, for random documents. */
static const char * const fragments[] = {
  "<p>", "</p>", "<div>", "</div>", "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>",
  "<th>", "<a href=\"https://example.com/a b\">", "<a href='mailto:x@example.com'>", "</a>",
  "<a>", "<!--", "-->", "--!>", "<!---->", "<script>", "</script>", "<style>", "</style>",
  "<title>", "<head>", "</head>", "<body>", "<html>", "</html>", "&amp;", "&#", "&#x", "&#x1F600;",
  "&nbsp;", "&zwnj;", "&", ";", "<br>", "<br/>", "</br>", "<li>", "</li>", "<ol start=3>", "<ul>",
  "</ul>", "</ol>", "<pre>", "</pre>", "\n", " ", "\t", "text", "words and more words",
  "{first_name|a b c}", "{", "}", "{{", "}}", "<img alt='x'>", "<img alt=\"\">",
  "<span style=\"display:none\">", "<div class=\"preheader\">", "</span>", "<blockquote>",
  "</blockquote>", "<h1>", "</h1>", "<", ">", "\"", "'", "=", "/", "!", "<![CDATA[", "]]>",
  "<!DOCTYPE html>", "<?", "\xff", "\xe2\x80", "é", "日本語", "<hr>", "<dl>", "<dt>", "<dd>",
  "\uFDD0", "\u00A0", "https://example.com/a/very/long/address/that/does/not/fit/on/one/line/at/all",
  "<td width=10>&nbsp;</td>", "<p hidden>", "<xml>", "</xml>", "<textarea>", "<svg>", "</svg>",
};

static void
test_fuzz_fragments (void)
{
  for (int i = 0; i < 3000; i++)
    {
      g_autoptr(GString) html = g_string_new (NULL);
      int n = g_test_rand_int_range (1, 120);

      for (int j = 0; j < n; j++)
        g_string_append (html, fragments[g_test_rand_int_range (0, G_N_ELEMENTS (fragments))]);
      check_shape (html->str);
    }
}

static void
test_fuzz_bytes (void)
{
  static const char markup[] = "<>&/!-=\"' \n#;{}|pdatrhbl";

  for (int i = 0; i < 3000; i++)
    {
      int len = g_test_rand_int_range (0, 400);
      g_autofree char *bytes = g_malloc (len + 1);

      for (int j = 0; j < len; j++)
        {
          /* Half markup characters, half any byte but NUL. */
          if (g_test_rand_bit ())
            bytes[j] = markup[g_test_rand_int_range (0, sizeof markup - 1)];
          else
            bytes[j] = (char) g_test_rand_int_range (1, 256);
        }
      bytes[len] = '\0';
      check_shape (bytes);
    }
}

/* Every prefix of the newsletter, as a message cut off in transit. */
static void
test_fuzz_truncated (void)
{
  gsize len = strlen (newsletter_html);

  for (gsize i = 0; i <= len; i += 3)
    {
      g_autofree char *cut = g_strndup (newsletter_html, i);

      check_shape (cut);
    }
}

/* Inputs that would take quadratic time or deep recursion in a naive
 * converter; the suite's timeout fails the test if one hangs. */
static void
test_pathological (void)
{
  static const char * const units[] = {
    "<div>", "<span>", "</span>", "<a href=x>", "<", "<a", "&#", "<!-", "<table><tr><td>",
    "<li>", "<ul>", "<blockquote>", "{", "<p>x", "</x>",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    {
      g_autoptr(GString) html = g_string_new (NULL);

      while (html->len < 300 * 1000)
        g_string_append (html, units[i]);
      check_shape (html->str);
    }
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/html-text/newsletter", test_newsletter);
  g_test_add_func ("/html-text/empty", test_empty);
  g_test_add_func ("/html-text/entities", test_entities);
  g_test_add_func ("/html-text/whitespace", test_whitespace);
  g_test_add_func ("/html-text/blocks", test_blocks);
  g_test_add_func ("/html-text/lists", test_lists);
  g_test_add_func ("/html-text/links", test_links);
  g_test_add_func ("/html-text/images", test_images);
  g_test_add_func ("/html-text/tables", test_tables);
  g_test_add_func ("/html-text/hidden", test_hidden);
  g_test_add_func ("/html-text/quotes-and-pre", test_quotes_and_pre);
  g_test_add_func ("/html-text/wrap", test_wrap);
  g_test_add_func ("/html-text/malformed", test_malformed);
  g_test_add_func ("/html-text/fuzz/fragments", test_fuzz_fragments);
  g_test_add_func ("/html-text/fuzz/bytes", test_fuzz_bytes);
  g_test_add_func ("/html-text/fuzz/truncated", test_fuzz_truncated);
  g_test_add_func ("/html-text/pathological", test_pathological);

  return g_test_run ();
}
