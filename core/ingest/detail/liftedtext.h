#pragma once
// Private to core/ingest: text lifted out of a page before gumbo parses it,
// and put back into the parsed tree.
//
// Gumbo handles every character of text as a token of its own, through the
// tokenizer and then the tree builder. On the GIMP manual, text between tags
// is a quarter of the bytes and about half of the parse. LiftedText replaces
// each run of plain text between tags with one placeholder character (a
// private-use code point of planes 15 and 16, numbered by the run), and once
// gumbo has built the tree, puts each run back into the text node that holds
// its placeholder.
//
// Why the tree is the same. A lifted run is text in the tokenizer's data
// state: its own bytes hold no '<', '>', '&', NUL or CR, only valid UTF-8 of
// code points gumbo passes through unchanged, and it starts and ends with a
// character that is neither HTML white space nor '-' or ']'. Such bytes come
// out of the tokenizer as the same characters in every state that emits text
// (data, RCDATA, RAWTEXT, script data and its escaped forms, PLAINTEXT,
// CDATA), and leave it in the state the placeholder leaves it in: only '<',
// '>', '&', '-' and ']' move those states, and '-' or ']' inside the run are
// followed by another of its characters. The tree builder tells characters
// apart only as white space or not, so a run that starts with a character
// that is not white space is handled as its placeholder is, from its first
// character on; the white space around it stays in the page.
//
// The check. A run that is not text at all (the scan below took markup for
// text: inside a tag, a comment or a doctype) puts its placeholder in an
// attribute or a comment instead, and a mode that drops text (a frameset)
// drops the placeholder: restore() then misses it and says so, and the page
// is parsed again as written. After a character reference ('&amp'), whose end
// the tokenizer finds by reading on, no run starts before the next character
// that cannot be part of one.

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <vector>

struct GumboInternalNode;

namespace rs::detail {

class LiftedText {
public:
    // Runs shorter than this stay in the page: a placeholder is 4 bytes.
    static constexpr size_t kMinRunBytes = 8;
    // Planes 15 and 16 less their two noncharacters each.
    static constexpr size_t kMaxRuns = 2 * 65534;

    // Writes `html` to `out` with its runs replaced; false (and `out` not to
    // be used) when it lifted none, or when `html` holds a code point of the
    // placeholders' range itself. `html` must outlive restore().
    bool lift(const QByteArray &html, QByteArray &out);

    // Puts the runs back into the text nodes of the tree under `document`,
    // in memory from `allocate` (the parse's own, so that it goes with the
    // tree). True when every placeholder was found once, each in a text
    // node; false otherwise (the tree is then not the page's and must be
    // dropped).
    using Allocate = void *(*)(void *userdata, size_t bytes);
    bool restore(GumboInternalNode *document, Allocate allocate, void *userdata);

    size_t runCount() const { return m_runs.size(); }

private:
    struct Run {
        uint32_t offset;
        uint32_t length;
    };
    const QByteArray *m_source = nullptr;
    std::vector<Run> m_runs;
    std::vector<uint8_t> m_seen;
};

} // namespace rs::detail
