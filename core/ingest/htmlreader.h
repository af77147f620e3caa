#pragma once
// Reader for the `html` ingest format: a folder of HTML pages with local
// images (a saved site, a manual such as Debian's gimp-help-en).
//
// Each page becomes one Document: its visible prose as TextBlocks in reading
// order (navigation and code kept but marked with their BlockKind, so a later
// filter decides), and each <img> as an ImageRef resolved to a canonical local
// path or refused with a stable reason. Nothing is ever fetched from the
// network, and no file outside the corpus root is read: image paths are only
// canonicalised and compared with the root.
//
// Thread-safety: const methods may run concurrently from several threads.
// A reader looks each image path up in the file system once (pages of a
// manual share their icons) and remembers the answer: it sees the corpus as
// it was when first read, so make a new reader to see later changes.

#include "core/ingest/document.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace rs {

// Per-page limits (the recipe's ingest.html_*). Checked before the HTML
// parser runs: gumbo's cost grows with the product of element count and
// nesting depth, so a page of 200,000 nested <div>s would stall a worker for
// minutes. Depth and node count are estimated by a linear scan of the tags
// (void elements, elements whose end tag is optional, comments and raw text
// do not nest). A page whose estimated parsing work (the sum of the depth at
// every start tag) passes a fixed bound is refused too.
struct HtmlLimits {
    qint64 maxBytes = 32LL * 1024 * 1024; // file size
    int maxDepth = 4096;                  // estimated element nesting
    qint64 maxNodes = 500000;             // start tags
    // Wall-clock budget per page in ms (0 = none), a last guard behind the
    // structural limits; generous, so that machine load never decides.
    qint64 maxMillis = 30000;
};

class HtmlReader {
public:
    // corpusRoot: the folder given to `realsyn ingest --format html`. Images
    // and pages whose canonical path lies outside it are refused.
    explicit HtmlReader(const QString &corpusRoot, HtmlLimits limits = {});

    // The root as given, made absolute and cleaned (not canonicalised).
    QString root() const { return m_root; }

    // All pages (*.html, *.htm, any case) under the root, recursively, as
    // paths relative to the root with '/' separators, sorted. Hidden
    // (dot-named) files and folders are not searched. Symlinked pages or
    // folders that resolve outside the root, or that dangle, are left out and,
    // when `refused` is given, appended to it as "relative/path: reason"
    // (reason outside_corpus, dangling_link, not_regular_file for a FIFO,
    // socket or device, or undecodable_name for a file name that is not
    // valid in the file system's encoding). A file reached twice through
    // links is listed once, under its first path in sorted order.
    QStringList listPages(QStringList *refused = nullptr) const;

    // Parses one page, given as a path relative to the root. Fails only when
    // the page cannot be read at all (NotFound, IoError), lies outside the
    // root (InvalidArgument) or is over a limit (Unsupported, message
    // starting "too_complex: "); broken markup, odd charsets and binary
    // content give a Document with warnings, and a zero-byte file an empty
    // Document.
    //
    // The Document's key is "html:" + the cleaned relative path, sourcePath
    // the absolute path, title the <title> text (not repeated as a block),
    // encoding the charset the page was decoded from (see
    // detail/htmlcharset.h). Blocks and images share one position sequence
    // (0, 1, 2, ...) in reading order; a block takes its position where its
    // first visible character appears.
    //
    // Blocks: every block element (p, div, li, td, h1..h6, ...) ends the text
    // before it and starts a new block; inline elements (a, span, em, code,
    // kbd, ...) and <br> stay inside their block. Navigation (nav, the page's
    // header/footer, classes navheader/navfooter/breadcrumb(s)/menu/navigation/
    // navbar, role=navigation) is kind Nav; pre and the classes programlisting/
    // screen/synopsis are Code; figcaption, table captions, DocBook figure/
    // table titles and media-object captions are Caption. Nav beats Code beats
    // Caption beats the element's own kind. script, style, noscript, template,
    // textarea, select, svg and [hidden] subtrees are never text.
    //
    // Images: <img src> and <object data> of an image type, in nav or not.
    // caption is the enclosing figure's title or figcaption; a DocBook media
    // object's own caption is appended after a spaced em dash (U+2014).
    // src is resolved without #fragment/?query, percent-decoded, against the
    // page's folder; refusals are not_local (any URL scheme but file:, and
    // //host), outside_corpus (lexically or canonically outside the root) and
    // missing_file (absent, not a regular readable file, or an empty src).
    Result<Document> readPage(const QString &relativePath) const;

    // Whitespace runs at tags are cut before parsing, which gives the same
    // Document faster (see foldWhitespaceAtTags in htmlreader.cpp). Off only
    // for the checks that it does give the same Document.
    void setFoldWhitespace(bool fold) { m_foldWhitespace = fold; }
    // Runs of plain text are lifted out of the page before parsing and put
    // back into the parsed tree, which gives the same Document faster (see
    // core/ingest/detail/liftedtext.h). Off only for the checks that it does.
    void setLiftText(bool lift) { m_liftText = lift; }

private:
    QString m_root;          // absolute, cleaned
    QString m_canonicalRoot; // symlinks resolved; empty when the root does not exist
    HtmlLimits m_limits;
    bool m_foldWhitespace = true;
    bool m_liftText = true;

public:
    struct ImageTargets; // canonical path or refusal per image path, behind a mutex

private:
    std::shared_ptr<ImageTargets> m_targets;
};

} // namespace rs
