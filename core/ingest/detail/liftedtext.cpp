#include "core/ingest/detail/liftedtext.h"

#include "core/ingest/detail/htmlcharset.h"

#include <gumbo.h>

#include <cstring>
#include <strings.h>

namespace rs::detail {

namespace {

constexpr size_t kPerPlane = 65534; // a plane's private-use code points, less U+xFFFE and U+xFFFF

char32_t placeholderOf(size_t run)
{
    return run < kPerPlane ? char32_t(0xF0000 + run) : char32_t(0x100000 + (run - kPerPlane));
}

void writePlaceholder(char *out, size_t run)
{
    const char32_t cp = placeholderOf(run);
    out[0] = char(0xF0 | (cp >> 18));
    out[1] = char(0x80 | ((cp >> 12) & 0x3F));
    out[2] = char(0x80 | ((cp >> 6) & 0x3F));
    out[3] = char(0x80 | (cp & 0x3F));
}

bool isContinuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

// Whether `p` (NUL-terminated, p[0] being 0xF3 or 0xF4) starts a code point
// of the placeholders' range; its run number then, else -1. Reads no byte
// past the terminator.
long placeholderAt(const unsigned char *p)
{
    const bool plane15 = p[0] == 0xF3 && p[1] >= 0xB0 && p[1] <= 0xBF;
    const bool plane16 = p[0] == 0xF4 && p[1] >= 0x80 && p[1] <= 0x8F;
    if (!(plane15 || plane16) || !isContinuation(p[2]) || !isContinuation(p[3]))
        return -1;
    const char32_t cp = char32_t(p[0] & 0x07) << 18 | char32_t(p[1] & 0x3F) << 12 | char32_t(p[2] & 0x3F) << 6 | char32_t(p[3] & 0x3F);
    const size_t inPlane = cp & 0xFFFF;
    if (inPlane >= kPerPlane)
        return -1;
    return long(plane15 ? inPlane : kPerPlane + inPlane);
}

// True when `html` holds a code point of the placeholders' range (or bytes
// that could be read as one): lifting is then off for the page.
bool holdsPlaceholderRange(const QByteArray &html)
{
    const auto *const begin = reinterpret_cast<const unsigned char *>(html.constData());
    const auto *const end = begin + html.size();
    for (unsigned char lead : {0xF3, 0xF4}) {
        for (const unsigned char *p = begin; (p = static_cast<const unsigned char *>(std::memchr(p, lead, size_t(end - p))));) {
            if (end - p < 2)
                break;
            if ((lead == 0xF3 && p[1] >= 0xB0 && p[1] <= 0xBF) || (lead == 0xF4 && p[1] >= 0x80 && p[1] <= 0x8F))
                return true;
            ++p;
        }
    }
    return false;
}

// The length of the character at `p` when it may be part of a run, else 0:
// printable ASCII but for '<', '>' and '&'; tab, LF and FF; and valid UTF-8
// of a code point gumbo passes on as it is (not a C1 control, surrogate,
// noncharacter or byte-order mark).
size_t runCharLength(const unsigned char *p, const unsigned char *end)
{
    const unsigned char c = p[0];
    if (c < 0x80) {
        if (c == '\t' || c == '\n' || c == '\f')
            return 1;
        return (c >= 0x20 && c < 0x7F && c != '<' && c != '>' && c != '&') ? 1 : 0;
    }
    const ptrdiff_t left = end - p;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (left < 2 || !isContinuation(p[1]))
            return 0;
        const char32_t cp = char32_t(c & 0x1F) << 6 | char32_t(p[1] & 0x3F);
        return cp >= 0xA0 ? 2 : 0;
    }
    if (c < 0xF0) {
        if (left < 3 || !isContinuation(p[1]) || !isContinuation(p[2]))
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0; // overlong, surrogate
        const char32_t cp = char32_t(c & 0x0F) << 12 | char32_t(p[1] & 0x3F) << 6 | char32_t(p[2] & 0x3F);
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || cp >= 0xFFFE || cp == 0xFEFF)
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (left < 4 || !isContinuation(p[1]) || !isContinuation(p[2]) || !isContinuation(p[3]))
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
            return 0; // overlong, beyond U+10FFFF
        const char32_t cp = char32_t(c & 0x07) << 18 | char32_t(p[1] & 0x3F) << 12 | char32_t(p[2] & 0x3F) << 6 | char32_t(p[3] & 0x3F);
        return (cp & 0xFFFE) == 0xFFFE ? 0 : 4;
    }
    return 0;
}

bool isAsciiAlpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isAsciiAlnum(char c)
{
    return isAsciiAlpha(c) || (c >= '0' && c <= '9');
}

// Where `needle` next occurs in s[from, n), or n.
size_t find(const char *s, size_t n, size_t from, const char *needle)
{
    const size_t len = std::strlen(needle);
    for (size_t i = from; i + len <= n;) {
        const void *hit = std::memchr(s + i, needle[0], n - i);
        if (!hit)
            return n;
        i = size_t(static_cast<const char *>(hit) - s);
        if (i + len <= n && std::memcmp(s + i, needle, len) == 0)
            return i;
        ++i;
    }
    return n;
}

// One past the '>' that ends a tag whose name ends at `j`, skipping quoted
// attribute values; n when there is none.
size_t tagEnd(const char *s, size_t n, size_t j)
{
    while (j < n) {
        const char c = s[j];
        if (c == '>')
            return j + 1;
        ++j;
        if (c != '=')
            continue;
        while (j < n && isHtmlSpace(s[j]))
            ++j;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
            const void *quote = std::memchr(s + j + 1, s[j], n - j - 1);
            if (!quote)
                return n;
            j = size_t(static_cast<const char *>(quote) - s) + 1;
        }
    }
    return n;
}

// Elements whose content the tokenizer reads as raw text, RCDATA or script
// data: nothing in them is lifted (PLAINTEXT runs to the end of the page).
bool isRawTextElement(const char *name, size_t length)
{
    static const char *const kNames[] = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"};
    for (const char *raw : kNames)
        if (std::strlen(raw) == length && strncasecmp(name, raw, length) == 0)
            return true;
    return false;
}

// One past the end tag `</name` (followed by white space, '/' or '>') at or
// after `from`, as the tokenizer ends raw text; n when there is none.
size_t rawTextEnd(const char *s, size_t n, size_t from, const char *name, size_t length)
{
    for (size_t i = from; (i = find(s, n, i, "</")) < n; ++i) {
        const size_t after = i + 2 + length;
        if (after <= n && strncasecmp(s + i + 2, name, length) == 0 && (after == n || isHtmlSpace(s[after]) || s[after] == '/' || s[after] == '>'))
            return tagEnd(s, n, after);
    }
    return n;
}

// One past the markup that starts at s[i] == '<', read as the tokenizer
// reads it in the data state; i + 1 when the '<' is text. Raw-text
// elements run to one past their end tag.
size_t markupEnd(const char *s, size_t n, size_t i)
{
    if (i + 1 >= n)
        return n;
    const char next = s[i + 1];
    if (isAsciiAlpha(next)) { // a start tag
        size_t j = i + 1;
        while (j < n && !isHtmlSpace(s[j]) && s[j] != '/' && s[j] != '>')
            ++j;
        const char *name = s + i + 1;
        const size_t length = j - i - 1;
        if (length == 9 && strncasecmp(name, "plaintext", 9) == 0)
            return n; // text to the end of the page
        const size_t end = tagEnd(s, n, j);
        return isRawTextElement(name, length) ? rawTextEnd(s, n, end, name, length) : end;
    }
    if (next == '/') {
        if (i + 2 >= n)
            return n;
        if (s[i + 2] == '>')
            return i + 3;
        if (isAsciiAlpha(s[i + 2])) {
            size_t j = i + 2;
            while (j < n && !isHtmlSpace(s[j]) && s[j] != '/' && s[j] != '>')
                ++j;
            return tagEnd(s, n, j);
        }
        const size_t close = find(s, n, i + 2, ">"); // a bogus comment
        return close < n ? close + 1 : n;
    }
    if (next == '!') {
        if (n - i >= 4 && s[i + 2] == '-' && s[i + 3] == '-') {
            if (i + 4 < n && s[i + 4] == '>')
                return i + 5; // <!-->
            if (i + 5 < n && s[i + 4] == '-' && s[i + 5] == '>')
                return i + 6; // <!--->
            const size_t dashes = find(s, n, i + 4, "-->");
            const size_t bang = find(s, n, i + 4, "--!>");
            return dashes <= bang ? (dashes < n ? dashes + 3 : n) : bang + 4;
        }
        if (n - i >= 9 && std::memcmp(s + i + 2, "[CDATA[", 7) == 0) {
            const size_t close = find(s, n, i + 9, "]]>");
            return close < n ? close + 3 : n;
        }
        const size_t close = find(s, n, i + 2, ">"); // a doctype or a bogus comment
        return close < n ? close + 1 : n;
    }
    if (next == '?') {
        const size_t close = find(s, n, i + 2, ">");
        return close < n ? close + 1 : n;
    }
    return i + 1;
}

} // namespace

bool LiftedText::lift(const QByteArray &html, QByteArray &out)
{
    m_source = &html;
    m_runs.clear();
    if (html.size() > qsizetype(UINT32_MAX) || holdsPlaceholderRange(html))
        return false;
    const char *const s = html.constData();
    const size_t n = size_t(html.size());
    const auto *const bytes = reinterpret_cast<const unsigned char *>(s);

    out.resize(html.size());
    char *o = out.data();
    size_t copied = 0; // html before this is in out
    // A run's core: from its first to its last character that is neither
    // white space nor '-' or ']' (see the header).
    size_t coreBegin = n;
    size_t coreEnd = n;
    const auto endRun = [&]() {
        if (coreBegin < n && coreEnd - coreBegin >= kMinRunBytes && m_runs.size() < kMaxRuns) {
            std::memcpy(o, s + copied, coreBegin - copied);
            o += coreBegin - copied;
            writePlaceholder(o, m_runs.size());
            o += 4;
            copied = coreEnd;
            m_runs.push_back({uint32_t(coreBegin), uint32_t(coreEnd - coreBegin)});
        }
        coreBegin = coreEnd = n;
    };
    for (size_t i = 0; i < n;) {
        const char c = s[i];
        if (c == '<') {
            endRun();
            i = markupEnd(s, n, i);
            continue;
        }
        if (c == '&') {
            // A character reference reads on for its name or number: no run
            // starts in what it may take.
            endRun();
            ++i;
            while (i < n && (isAsciiAlnum(s[i]) || s[i] == '#'))
                ++i;
            if (i < n && s[i] == ';')
                ++i;
            continue;
        }
        const size_t length = runCharLength(bytes + i, bytes + n);
        if (length == 0) {
            endRun();
            ++i;
            continue;
        }
        if (!isHtmlSpace(c) && c != '-' && c != ']') {
            if (coreBegin == n)
                coreBegin = i;
            coreEnd = i + length;
        }
        i += length;
    }
    endRun();
    if (m_runs.empty())
        return false;
    std::memcpy(o, s + copied, n - copied);
    o += n - copied;
    out.truncate(o - out.constData());
    m_seen.assign(m_runs.size(), 0);
    return true;
}

bool LiftedText::restore(GumboInternalNode *document, Allocate allocate, void *userdata)
{
    size_t found = 0;
    std::vector<GumboNode *> pending{document};
    while (!pending.empty()) {
        GumboNode *node = pending.back();
        pending.pop_back();
        switch (node->type) {
        case GUMBO_NODE_DOCUMENT:
            for (unsigned i = 0; i < node->v.document.children.length; ++i)
                pending.push_back(static_cast<GumboNode *>(node->v.document.children.data[i]));
            continue;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE:
            for (unsigned i = 0; i < node->v.element.children.length; ++i)
                pending.push_back(static_cast<GumboNode *>(node->v.element.children.data[i]));
            continue;
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_COMMENT:
            break;
        }
        const char *text = node->v.text.text;
        if (!std::strpbrk(text, "\xF3\xF4"))
            continue;
        if (node->type == GUMBO_NODE_COMMENT)
            return false; // markup taken for text
        // The length restored, then the text.
        size_t length = 0;
        const auto *t = reinterpret_cast<const unsigned char *>(text);
        for (const unsigned char *p = t; *p;) {
            const long run = (*p == 0xF3 || *p == 0xF4) ? placeholderAt(p) : -1;
            if (run < 0) {
                ++length;
                ++p;
                continue;
            }
            if (size_t(run) >= m_runs.size() || m_seen[size_t(run)])
                return false;
            m_seen[size_t(run)] = 1;
            ++found;
            length += m_runs[size_t(run)].length;
            p += 4;
        }
        auto *restored = static_cast<char *>(allocate(userdata, length + 1));
        char *o = restored;
        for (const unsigned char *p = t; *p;) {
            const long run = (*p == 0xF3 || *p == 0xF4) ? placeholderAt(p) : -1;
            if (run < 0) {
                *o++ = char(*p++);
                continue;
            }
            const Run &r = m_runs[size_t(run)];
            std::memcpy(o, m_source->constData() + r.offset, r.length);
            o += r.length;
            p += 4;
        }
        *o = '\0';
        node->v.text.text = restored;
    }
    return found == m_runs.size();
}

} // namespace rs::detail
