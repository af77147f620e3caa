#include "core/ingest/htmlreader.h"

#include "core/ingest/detail/htmlcharset.h"
#include "core/ingest/detail/liftedtext.h"

#include <gumbo.h>

#include <QByteArray>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QSet>
#include <QStringDecoder>
#include <QUrl>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rs {

namespace {

// Deeper markup is not walked: a page of 100k nested <div>s (or garbage that
// looks like one) must not exhaust a worker thread's stack.
constexpr int kMaxDepth = 800;

// Gumbo keeps every parse error in memory; a binary file yields thousands.
constexpr int kMaxParseErrors = 200;

const QLatin1String kNotLocal("not_local");
const QLatin1String kOutsideCorpus("outside_corpus");
const QLatin1String kMissingFile("missing_file");

bool isInside(const QString &path, const QString &root)
{
    if (root.isEmpty() || path.isEmpty())
        return false;
    if (root == QLatin1String("/"))
        return path.startsWith(u'/');
    return path == root
        || (path.size() > root.size() && path.startsWith(root) && path.at(root.size()) == u'/');
}

bool hasPageSuffix(const QString &fileName)
{
    return fileName.endsWith(QLatin1String(".html"), Qt::CaseInsensitive)
        || fileName.endsWith(QLatin1String(".htm"), Qt::CaseInsensitive);
}

// ---- image references -------------------------------------------------------

// The URL scheme of `ref` ("http", "data", ...) lower-cased, or empty. A single
// letter before ':' is a Windows drive, not a scheme.
QString urlScheme(const QString &ref)
{
    qsizetype i = 0;
    while (i < ref.size()) {
        const QChar c = ref.at(i);
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
        const bool other = (c >= u'0' && c <= u'9') || c == u'+' || c == u'-' || c == u'.';
        if (c == u':')
            return i >= 2 ? ref.left(i).toLower() : QString();
        if (!letter && !(i > 0 && other))
            return {};
        ++i;
    }
    return {};
}

// What the file system says about one lexically clean image path inside the
// root: its canonical path, or why it is refused.
struct ImageTarget {
    QString canonical;
    QLatin1String refusal;
};

ImageTarget lookUpTarget(const QString &path, const QString &root, const QString &canonicalRoot)
{
    const QFileInfo info(path);
    const QString canonical = info.canonicalFilePath();
    if (canonical.isEmpty()) {
        // A dangling link that names a place outside is still an escape attempt.
        if (info.isSymLink() && !isInside(info.symLinkTarget(), canonicalRoot)
            && !isInside(info.symLinkTarget(), root))
            return {{}, kOutsideCorpus};
        return {{}, kMissingFile};
    }
    if (!isInside(canonical, canonicalRoot))
        return {{}, kOutsideCorpus};
    const QFileInfo target(canonical);
    if (!target.isFile() || !target.isReadable())
        return {{}, kMissingFile};
    return {canonical, {}};
}

// `name` in `folder`; "/" is the one folder whose path ends in a slash.
QString inFolder(const QString &folder, QStringView name)
{
    return folder.endsWith(u'/') ? QString(folder + name) : QString(folder + u'/' + name);
}

// The canonical path of `path` when it names a regular file, not a link, in
// a folder whose canonical path is known: that folder's canonical path and
// the file's name, which is what realpath() would find, with one lstat()
// instead of a readlink() per component. Empty when it cannot tell.
QString canonicalInResolvedDir(const QString &path, const QString &canonicalDir)
{
    struct stat st;
    if (canonicalDir.isEmpty() || ::lstat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return {};
    return inFolder(canonicalDir, QStringView(path).mid(path.lastIndexOf(u'/') + 1));
}

} // namespace

// Manual pages share their images (navigation icons on every page), and
// canonicalising a path costs a readlink() per component: each image path
// is looked up once per reader, and each folder is canonicalised once so
// that an ordinary file in it (an image, a page) needs one lstat(). Shared
// by the threads reading pages.
struct HtmlReader::ImageTargets {
    ImageTarget resolve(const QString &path, const QString &root, const QString &canonicalRoot)
    {
        {
            QMutexLocker lock(&mutex);
            if (auto it = known.constFind(path); it != known.cend())
                return *it;
        }
        ImageTarget target;
        if (const QString canonical = canonicalInResolvedDir(path, canonicalFolder(folderOf(path))); !canonical.isEmpty()) {
            if (!isInside(canonical, canonicalRoot))
                target = {{}, kOutsideCorpus};
            else if (::access(QFile::encodeName(canonical).constData(), R_OK) != 0)
                target = {{}, kMissingFile};
            else
                target = {canonical, {}};
        } else {
            target = lookUpTarget(path, root, canonicalRoot); // links, missing files, odd folders
        }
        QMutexLocker lock(&mutex);
        known.insert(path, target);
        return target;
    }

    // What QFileInfo(path).canonicalFilePath() gives, with one lstat() for
    // a plain file in a folder seen before (pages share their folders).
    QString canonicalFile(const QString &path)
    {
        const QString canonical = canonicalInResolvedDir(path, canonicalFolder(folderOf(path)));
        return canonical.isEmpty() ? QFileInfo(path).canonicalFilePath() : canonical;
    }

private:
    static QString folderOf(const QString &path) { return path.left(std::max<qsizetype>(1, path.lastIndexOf(u'/'))); }

    // A folder's canonical path (empty when unresolvable), looked up once.
    QString canonicalFolder(const QString &dir)
    {
        {
            QMutexLocker lock(&mutex);
            if (auto it = dirs.constFind(dir); it != dirs.cend())
                return *it;
        }
        const QString canonical = QFileInfo(dir).canonicalFilePath();
        QMutexLocker lock(&mutex);
        dirs.insert(dir, canonical);
        return canonical;
    }

    QMutex mutex;
    QHash<QString, ImageTarget> known;
    QHash<QString, QString> dirs; // folder -> canonical folder (empty: unresolvable)
};

namespace {

using ImageTargets = HtmlReader::ImageTargets;

// Fills localPath or refusal. Never opens the target: a path is refused on its
// lexical form first, then on its canonical form (which only resolves links).
void resolveImage(ImageRef &image, const QString &pageDir, const QString &root,
                  const QString &canonicalRoot, ImageTargets &targets)
{
    const auto refuse = [&image](QLatin1String reason) {
        image.localPath.clear();
        image.refusal = reason;
    };

    const QString src = image.src.trimmed();
    if (src.startsWith(QLatin1String("//")) || src.startsWith(QLatin1String("\\\\")))
        return refuse(kNotLocal); // protocol-relative: a network location

    QString path;
    const QString scheme = urlScheme(src);
    if (!scheme.isEmpty()) {
        if (scheme != QLatin1String("file"))
            return refuse(kNotLocal); // http(s), ftp, data, javascript, cid, ...: never fetched
        const QUrl url(src, QUrl::TolerantMode);
        const QString host = url.host();
        if (!host.isEmpty() && host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) != 0)
            return refuse(kNotLocal);
        path = url.path(QUrl::FullyDecoded);
    } else {
        QString ref = src;
        const qsizetype hash = ref.indexOf(u'#');
        if (hash >= 0)
            ref.truncate(hash);
        const qsizetype query = ref.indexOf(u'?');
        if (query >= 0)
            ref.truncate(query);
        ref.replace(u'\\', u'/'); // as browsers do for file and http URLs
        path = QString::fromUtf8(QByteArray::fromPercentEncoding(ref.toUtf8()));
    }
    if (path.isEmpty() || path.contains(QChar(0)))
        return refuse(kMissingFile);
    if (!path.startsWith(u'/'))
        path = pageDir + u'/' + path;
    path = QDir::cleanPath(path);

    // `../../etc/passwd` and absolute paths elsewhere stop here, unstat'ed.
    if (!isInside(path, root) && !isInside(path, canonicalRoot))
        return refuse(kOutsideCorpus);

    const ImageTarget target = targets.resolve(path, root, canonicalRoot);
    if (!target.refusal.isEmpty())
        return refuse(target.refusal);
    image.localPath = target.canonical;
    image.refusal.clear();
}

// ---- element classification ------------------------------------------------

QString attributeValue(const GumboElement &el, const char *name)
{
    const GumboAttribute *attr = gumbo_get_attribute(&el.attributes, name);
    return attr ? QString::fromUtf8(attr->value) : QString();
}

bool hasAttribute(const GumboElement &el, const char *name)
{
    return gumbo_get_attribute(&el.attributes, name) != nullptr;
}

// An element's class attribute, matched in place: building a lower-cased
// QStringList per element was a fifth of ingest's allocations. The names
// compared are ASCII, so comparing the UTF-8 bytes ASCII-case-insensitively
// finds the same tokens as lower-casing and splitting on spaces did (a
// non-ASCII byte never equals an ASCII one).
class ClassList {
public:
    explicit ClassList(const GumboElement &el)
    {
        const GumboAttribute *attr = gumbo_get_attribute(&el.attributes, "class");
        if (attr)
            m_value = attr->value;
    }

    bool hasAny(std::initializer_list<const char *> names) const
    {
        for (const char *p = m_value;;) {
            while (*p == ' ')
                ++p;
            const char *token = p;
            while (*p && *p != ' ')
                ++p;
            const std::size_t length = std::size_t(p - token);
            if (length == 0)
                return false;
            for (const char *name : names)
                if (std::strlen(name) == length && equalsIgnoringAsciiCase(token, name, length))
                    return true;
        }
    }

private:
    static bool equalsIgnoringAsciiCase(const char *token, const char *lowerName, std::size_t length)
    {
        for (std::size_t i = 0; i < length; ++i) {
            const char c = token[i];
            if ((c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c) != lowerName[i])
                return false;
        }
        return true;
    }

    const char *m_value = "";
};

// Subtrees that are never visible prose.
bool isSkippedTag(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_DATALIST:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_MAP:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_PARAM:
        return true;
    default:
        return false;
    }
}

// Elements whose start and end end the current text block.
bool isBlockTag(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_XMP:
        return true;
    default:
        return false;
    }
}

bool isHiddenElement(const GumboNode *node)
{
    const GumboElement &el = node->v.element;
    return el.tag_namespace == GUMBO_NAMESPACE_SVG || isSkippedTag(el.tag)
        || hasAttribute(el, "hidden");
}

// Concatenated visible text of a subtree (for captions), whitespace-normalised.
void collectText(const GumboNode *node, QString &out, int depth)
{
    if (depth > kMaxDepth)
        return;
    switch (node->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_CDATA:
    case GUMBO_NODE_WHITESPACE:
        out += QString::fromUtf8(node->v.text.text);
        return;
    case GUMBO_NODE_ELEMENT: {
        if (isHiddenElement(node))
            return;
        const GumboElement &el = node->v.element;
        const bool block = isBlockTag(el.tag) || el.tag == GUMBO_TAG_BR;
        if (block)
            out += u' ';
        for (unsigned i = 0; i < el.children.length; ++i)
            collectText(static_cast<const GumboNode *>(el.children.data[i]), out, depth + 1);
        if (block)
            out += u' ';
        return;
    }
    default:
        return;
    }
}

// The element's own tag is not filtered, so that <title> (never body text)
// can be read this way too.
QString textOf(const GumboNode *node)
{
    QString text;
    const GumboVector &children = node->v.element.children;
    for (unsigned i = 0; i < children.length; ++i)
        collectText(static_cast<const GumboNode *>(children.data[i]), text, 1);
    return text.simplified();
}

const GumboNode *childElement(const GumboNode *node, unsigned index)
{
    const auto *child = static_cast<const GumboNode *>(node->v.element.children.data[index]);
    return child->type == GUMBO_NODE_ELEMENT ? child : nullptr;
}

const GumboNode *findFirst(const GumboNode *node, GumboTag tag, int depth)
{
    if (depth > kMaxDepth || node->type != GUMBO_NODE_ELEMENT)
        return nullptr;
    const GumboElement &el = node->v.element;
    if (el.tag_namespace != GUMBO_NAMESPACE_HTML)
        return nullptr; // an SVG <title> is not the page's title
    if (el.tag == tag)
        return node;
    for (unsigned i = 0; i < el.children.length; ++i)
        if (const GumboNode *found
            = findFirst(static_cast<const GumboNode *>(el.children.data[i]), tag, depth + 1))
            return found;
    return nullptr;
}

// The caption that a captioned container gives the images inside it: HTML5
// <figure>/<figcaption>, DocBook div.figure/p.title ("Figure 14.127. Crop
// tool") and div.mediaobject/div.caption. Empty for anything else.
QString containerCaption(const GumboNode *node, const ClassList &classes)
{
    const GumboElement &el = node->v.element;
    const bool htmlFigure = el.tag == GUMBO_TAG_FIGURE;
    const bool docbookFigure = classes.hasAny({"figure"});
    const bool mediaObject = classes.hasAny({"mediaobject"});
    if (!htmlFigure && !docbookFigure && !mediaObject)
        return {};
    for (unsigned i = 0; i < el.children.length; ++i) {
        const GumboNode *child = childElement(node, i);
        if (!child)
            continue;
        const ClassList childClasses(child->v.element);
        if ((htmlFigure && child->v.element.tag == GUMBO_TAG_FIGCAPTION)
            || (docbookFigure && childClasses.hasAny({"title"}))
            || (mediaObject && childClasses.hasAny({"caption"}))) {
            const QString text = textOf(child);
            if (!text.isEmpty())
                return text;
        }
    }
    return {};
}

// figcaption, table <caption>, DocBook titles of figures/tables/examples and
// mediaobject captions.
bool isCaptionElement(const GumboNode *node, const ClassList &classes)
{
    const GumboTag tag = node->v.element.tag;
    if (tag == GUMBO_TAG_FIGCAPTION || tag == GUMBO_TAG_CAPTION)
        return true;
    const bool title = classes.hasAny({"title"});
    const bool caption = classes.hasAny({"caption"});
    if ((!title && !caption) || !node->parent || node->parent->type != GUMBO_NODE_ELEMENT)
        return false;
    const ClassList parentClasses(node->parent->v.element);
    if (title)
        return parentClasses.hasAny({"figure", "table", "example", "equation", "procedure"});
    return parentClasses.hasAny({"mediaobject"});
}

bool isCodeElement(GumboTag tag, const ClassList &classes)
{
    return tag == GUMBO_TAG_PRE || tag == GUMBO_TAG_LISTING || tag == GUMBO_TAG_XMP
        || tag == GUMBO_TAG_PLAINTEXT || classes.hasAny({"programlisting", "screen", "synopsis"});
}

bool isSectioningTag(GumboTag tag)
{
    return tag == GUMBO_TAG_ARTICLE || tag == GUMBO_TAG_ASIDE || tag == GUMBO_TAG_SECTION
        || tag == GUMBO_TAG_NAV;
}

bool isObjectImage(const GumboElement &el)
{
    const QString type = attributeValue(el, "type").trimmed().toLower();
    if (!type.isEmpty())
        return type.startsWith(QLatin1String("image/"));
    QString data = attributeValue(el, "data").trimmed().toLower();
    data.truncate(data.indexOf(u'?') >= 0 ? data.indexOf(u'?') : data.size());
    for (const char *ext : {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".svg", ".tif", ".tiff"})
        if (data.endsWith(QLatin1String(ext)))
            return true;
    return false;
}

// ---- the walk -----------------------------------------------------------------

// Kinds that hold for a whole subtree, strongest last: site chrome beats code,
// code beats captions, and all three beat the element kinds inside them.
enum class Sticky { None = 0, Caption = 1, Code = 2, Nav = 3 };

struct WalkContext {
    BlockKind kind = BlockKind::Body; // kind of text directly inside the current block
    Sticky sticky = Sticky::None;
    bool inSectioning = false; // header/footer there belong to an article, not the page
    QString caption;           // caption for images in the innermost captioned container
};

class PageWalker {
public:
    PageWalker(Document &doc, QString pageDir, const QString &root, const QString &canonicalRoot, ImageTargets &targets,
               const QDeadlineTimer &deadline)
        : m_doc(doc), m_pageDir(std::move(pageDir)), m_root(root), m_canonicalRoot(canonicalRoot), m_targets(targets), m_deadline(deadline)
    {
    }

    // False when the page's time budget ran out during the walk (the
    // document is then incomplete and must not be used).
    bool run(const GumboNode *document)
    {
        walk(document, WalkContext{}, 0);
        flush();
        return !m_expired;
    }

private:
    void walk(const GumboNode *node, const WalkContext &ctx, int depth)
    {
        switch (node->type) {
        case GUMBO_NODE_DOCUMENT:
            walkChildren(node->v.document.children, ctx, depth);
            return;
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
            appendText(node->v.text.text, ctx);
            return;
        case GUMBO_NODE_ELEMENT:
            element(node, ctx, depth);
            return;
        default: // comments; template contents are inert
            return;
        }
    }

    void walkChildren(const GumboVector &children, const WalkContext &ctx, int depth)
    {
        for (unsigned i = 0; i < children.length && !m_expired; ++i) {
            // The clock is read every 4096 nodes: cheap, and fine-grained
            // enough for a budget in milliseconds.
            if ((++m_visited & 4095) == 0 && m_deadline.hasExpired()) {
                m_expired = true;
                return;
            }
            walk(static_cast<const GumboNode *>(children.data[i]), ctx, depth + 1);
        }
    }

    void element(const GumboNode *node, const WalkContext &ctx, int depth)
    {
        if (depth > kMaxDepth) {
            if (!m_depthWarned)
                m_doc.warnings.append(
                    QStringLiteral("markup nested deeper than %1 levels; deeper content skipped")
                        .arg(kMaxDepth));
            m_depthWarned = true;
            return;
        }
        if (isHiddenElement(node))
            return;
        const GumboElement &el = node->v.element;
        if (el.tag == GUMBO_TAG_IMG) {
            addImage(el, attributeValue(el, "src"), ctx);
            return;
        }
        if (el.tag == GUMBO_TAG_BR) {
            addSpace();
            return;
        }
        if (el.tag == GUMBO_TAG_OBJECT && hasAttribute(el, "data") && isObjectImage(el)) {
            addImage(el, attributeValue(el, "data"), ctx);
            return; // the children are fallback content for the same image
        }

        const ClassList classes(el);
        WalkContext inner = ctx;
        const auto stick = [&inner](Sticky level, BlockKind kind) {
            if (level > inner.sticky) {
                inner.sticky = level;
                inner.kind = kind;
            }
        };
        const bool pageChrome = (el.tag == GUMBO_TAG_HEADER || el.tag == GUMBO_TAG_FOOTER)
            && !ctx.inSectioning;
        if (el.tag == GUMBO_TAG_NAV || pageChrome
            || classes.hasAny({"navheader", "navfooter", "breadcrumb", "breadcrumbs", "menu",
                                     "navigation", "navbar"})
            || attributeValue(el, "role").trimmed().toLower() == QLatin1String("navigation"))
            stick(Sticky::Nav, BlockKind::Nav);
        else if (isCodeElement(el.tag, classes))
            stick(Sticky::Code, BlockKind::Code);
        else if (isCaptionElement(node, classes))
            stick(Sticky::Caption, BlockKind::Caption);
        else if (inner.sticky == Sticky::None) {
            switch (el.tag) {
            case GUMBO_TAG_H1:
            case GUMBO_TAG_H2:
            case GUMBO_TAG_H3:
            case GUMBO_TAG_H4:
            case GUMBO_TAG_H5:
            case GUMBO_TAG_H6:
                inner.kind = BlockKind::Heading;
                break;
            case GUMBO_TAG_LI:
            case GUMBO_TAG_DT:
            case GUMBO_TAG_DD:
                inner.kind = BlockKind::ListItem;
                break;
            case GUMBO_TAG_TD:
            case GUMBO_TAG_TH:
                inner.kind = BlockKind::TableCell;
                break;
            default:
                break; // p, div, blockquote, inline elements: the enclosing kind
            }
        }
        if (isSectioningTag(el.tag))
            inner.inSectioning = true;
        const QString caption = containerCaption(node, classes);
        if (!caption.isEmpty()) {
            // DocBook figures hold several captioned media objects ("Original",
            // "Blur applied") under one title: keep both, title first.
            const bool partOfFigure = !ctx.caption.isEmpty() && classes.hasAny({"mediaobject"});
            inner.caption = partOfFigure ? ctx.caption + QStringLiteral(" \u2014 ") + caption : caption;
        }

        // A kind change is a boundary even on an inline element (a <span
        // class="breadcrumb"> inside a paragraph), so one block has one kind.
        const bool boundary = isBlockTag(el.tag) || inner.kind != ctx.kind;
        if (boundary)
            flush();
        walkChildren(el.children, inner, depth);
        if (boundary)
            flush();
    }

    // A block's text is kept simplified as it is added (what
    // QString::simplified() would make of it all at the end): a run of white
    // space becomes one space before the next visible character, and none
    // leads or trails.
    void addSpace() { m_pendingSpace = !m_buffer.isEmpty(); }

    template <typename Text>
    void addVisible(const Text &text, const WalkContext &ctx)
    {
        if (m_bufferPosition < 0) {
            m_bufferPosition = m_nextPosition++;
            m_bufferKind = ctx.kind;
        }
        if (m_pendingSpace)
            m_buffer += u' ';
        m_pendingSpace = false;
        m_buffer += text;
    }

    void appendText(const char *utf8, const WalkContext &ctx)
    {
        // Control characters (binary junk, stray form feeds) are not prose:
        // they count as spaces. ASCII, most of a manual, needs no decoding:
        // its visible runs are added whole.
        const char *p = utf8;
        for (;;) {
            const char *run = p;
            while (uchar(*p) > ' ' && uchar(*p) < 0x7F)
                ++p;
            if (p > run)
                addVisible(QLatin1StringView(run, p - run), ctx);
            if (!*p)
                return;
            if (uchar(*p) >= 0x80)
                break;
            addSpace(); // white space, a control character or DEL
            ++p;
        }
        for (const QChar c : QString::fromUtf8(p)) {
            if (c.unicode() < 0x20 || (c.unicode() >= 0x7F && c.unicode() < 0xA0) || c.isSpace())
                addSpace();
            else
                addVisible(c, ctx);
        }
    }

    void flush()
    {
        if (m_bufferPosition >= 0 && !m_buffer.isEmpty())
            m_doc.blocks.append(TextBlock{std::move(m_buffer), m_bufferKind, m_bufferPosition});
        m_buffer = QString();
        m_pendingSpace = false;
        m_bufferPosition = -1;
    }

    void addImage(const GumboElement &el, const QString &src, const WalkContext &ctx)
    {
        ImageRef image;
        image.src = src;
        image.alt = attributeValue(el, "alt").simplified();
        image.title = attributeValue(el, "title").simplified();
        image.caption = ctx.caption;
        image.position = m_nextPosition++;
        resolveImage(image, m_pageDir, m_root, m_canonicalRoot, m_targets);
        m_doc.images.append(std::move(image));
    }

    Document &m_doc;
    const QString m_pageDir;
    const QString &m_root;
    const QString &m_canonicalRoot;
    ImageTargets &m_targets;
    const QDeadlineTimer &m_deadline;
    quint64 m_visited = 0;
    bool m_expired = false;
    QString m_buffer;          // simplified as it grows
    bool m_pendingSpace = false; // white space seen after the last visible character
    BlockKind m_bufferKind = BlockKind::Body;
    int m_bufferPosition = -1; // reserved at the block's first visible character
    int m_nextPosition = 0;
    bool m_depthWarned = false;
};

// Gumbo's memory for one page, handed out from large blocks and dropped all
// at once when the page is done. Gumbo allocates and frees every node,
// string and vector on its own (malloc and free were over a fifth of the
// parse), and its tree is thrown away whole anyway. One arena per worker
// thread; it keeps up to kKeptBytes of blocks from page to page, so that
// the next page does not page in fresh memory.
class GumboArena {
public:
    static constexpr size_t kBlockBytes = size_t(1) << 20;
    static constexpr size_t kKeptBytes = size_t(16) << 20;

    static void *allocate(void *arena, size_t bytes) { return static_cast<GumboArena *>(arena)->take(bytes); }
    static void deallocate(void *, void *) {}

    // Forgets every allocation; call only once nothing points into the arena.
    void reset()
    {
        size_t kept = 0;
        size_t keep = 0;
        while (keep < m_blocks.size() && kept + m_blocks[keep].size <= kKeptBytes)
            kept += m_blocks[keep++].size;
        m_blocks.resize(keep);
        m_current = 0;
        m_used = 0;
    }

private:
    struct Block {
        std::unique_ptr<std::byte[]> data;
        size_t size = 0;
    };

    void *take(size_t bytes)
    {
        const size_t need = (std::max<size_t>(bytes, 1) + kAlign - 1) & ~(kAlign - 1);
        while (m_current < m_blocks.size()) {
            Block &b = m_blocks[m_current];
            if (b.size - m_used >= need) {
                void *p = b.data.get() + m_used;
                m_used += need;
                return p;
            }
            ++m_current; // blocks kept from earlier pages, then fresh ones
            m_used = 0;
        }
        Block b;
        b.size = std::max(kBlockBytes, need);
        b.data.reset(new std::byte[b.size]); // gumbo cannot take a null; as malloc would, fail loudly
        m_blocks.push_back(std::move(b));
        m_current = m_blocks.size() - 1;
        m_used = need;
        return m_blocks.back().data.get();
    }

    static constexpr size_t kAlign = alignof(std::max_align_t);
    std::vector<Block> m_blocks;
    size_t m_current = 0; // the block being filled
    size_t m_used = 0;    // bytes of it handed out
};

// Resets the arena when the page's tree is no longer used (on every way out).
struct GumboArenaReset {
    GumboArena &arena;
    ~GumboArenaReset() { arena.reset(); }
};

// ---- page listing -------------------------------------------------------------

struct PageEntry {
    QString relative;
    QString canonical;
};

// One readdir() pass per folder. Entries whose type the folder itself
// reports (a regular file, a folder; no link) have their canonical path from
// the folder's own: canonicalising every page of a manual cost a readlink()
// per path component and was most of the listing. Links and entries of
// unknown type are resolved by the file system, as before.
//
// Qt would not list entries whose names are not valid UTF-8 (it could not
// name them again), so pages and folders with such names would vanish
// without a word: they are reported as refused.
void collectPages(const QString &dirPath, const QString &canonicalDir, const QString &dirRelative,
                  const QString &canonicalRoot, QSet<QString> &visitedDirs, QVector<PageEntry> &pages,
                  QStringList *refused)
{
    struct Entry {
        QString name;
        unsigned char type;
    };
    std::vector<Entry> entries;
    DIR *dir = ::opendir(QFile::encodeName(dirPath).constData());
    if (!dir)
        return;
    while (const dirent *entry = ::readdir(dir)) {
        const QByteArrayView name(entry->d_name);
        if (name.startsWith('.'))
            continue; // hidden, and "." and ".."
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        QString decoded = utf8.decode(name); // decode() is lazy: converting runs it
        if (utf8.hasError()) {
            const QByteArray lower = name.toByteArray().toLower();
            const bool page = lower.endsWith(".html") || lower.endsWith(".htm");
            if (refused && (page || entry->d_type == DT_DIR)) {
                const QString shown = QString::fromLatin1(name.toByteArray().toPercentEncoding(" "));
                refused->append((dirRelative.isEmpty() ? shown : dirRelative + u'/' + shown)
                                + QStringLiteral(": undecodable_name"));
            }
            continue;
        }
        entries.push_back({std::move(decoded), entry->d_type});
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.name < b.name; });

    for (const Entry &entry : entries) {
        const QString relative = dirRelative.isEmpty() ? entry.name : dirRelative + u'/' + entry.name;
        const QString path = inFolder(dirPath, entry.name);
        const bool page = hasPageSuffix(entry.name);
        if (entry.type == DT_REG) {
            if (page)
                pages.append(PageEntry{relative, inFolder(canonicalDir, entry.name)});
            continue;
        }
        if (entry.type == DT_DIR) {
            const QString canonical = inFolder(canonicalDir, entry.name);
            if (!visitedDirs.contains(canonical)) {
                visitedDirs.insert(canonical);
                collectPages(path, canonical, relative, canonicalRoot, visitedDirs, pages, refused);
            }
            continue;
        }
        if (entry.type != DT_LNK && entry.type != DT_UNKNOWN) {
            if (page && refused)
                refused->append(relative + QStringLiteral(": not_regular_file")); // FIFO, socket, device: reading could block
            continue;
        }
        const QFileInfo info(path);
        if (!page && !info.isDir())
            continue;
        const QString canonical = info.canonicalFilePath();
        if (canonical.isEmpty()) {
            if (refused && page)
                refused->append(relative + QStringLiteral(": dangling_link"));
            continue;
        }
        if (!isInside(canonical, canonicalRoot)) {
            if (refused)
                refused->append(relative + QStringLiteral(": outside_corpus"));
            continue;
        }
        if (info.isDir()) {
            if (visitedDirs.contains(canonical))
                continue; // a link loop or a second way into the same folder
            visitedDirs.insert(canonical);
            collectPages(path, canonical, relative, canonicalRoot, visitedDirs, pages, refused);
        } else if (info.isFile()) {
            pages.append(PageEntry{relative, canonical});
        } else if (refused) {
            refused->append(relative + QStringLiteral(": not_regular_file"));
        }
    }
}

// ---- complexity estimate -------------------------------------------------------

// The parser's scope checks walk the stack of open elements, so its work
// grows with the sum of the nesting depth at every start tag. Past this many
// steps a page would take seconds to parse; such a page is too complex even
// when neither its depth nor its element count alone is over its limit.
constexpr qint64 kMaxParseWork = 100'000'000;

struct TagStats {
    int maxDepth = 0;
    qint64 nodes = 0;
    qint64 work = 0; // sum of depths at start tags
};

bool isTagNameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':';
}

// A tag name lower-cased into a small buffer: the scan meets every tag of
// the page, and a QByteArray per tag was most of its time. Names longer
// than the buffer are none of the names looked for below.
struct TagName {
    char text[16];
    std::size_t size = 0; // 0 when too long to be one of them

    TagName(const char *name, qsizetype length)
    {
        if (length >= qsizetype(sizeof text))
            return;
        for (qsizetype k = 0; k < length; ++k)
            text[k] = (name[k] >= 'A' && name[k] <= 'Z') ? char(name[k] - 'A' + 'a') : name[k];
        size = std::size_t(length);
    }
    std::string_view view() const { return {text, size}; }
    bool is(std::string_view name) const { return view() == name; }
};

// Elements that never hold children, or whose end tag the parser supplies
// itself when a sibling starts: neither deepens the tree.
bool isFlatTag(const TagName &name)
{
    static constexpr std::string_view flat[] = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
        "keygen", "basefont", "bgsound", "frame", "image", "isindex", // void
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup",
        "rb", "rt", "rtc", "rp", "html", "head", "body"}; // optional end tag
    return name.size > 0 && std::find(std::begin(flat), std::end(flat), name.view()) != std::end(flat);
}

bool isRawTextTag(const TagName &name)
{
    return name.is("script") || name.is("style") || name.is("textarea") || name.is("title") || name.is("xmp") || name.is("iframe")
        || name.is("noembed") || name.is("noframes") || name.is("plaintext");
}

// A linear scan of the tags; stops early once a limit is passed.
TagStats scanTags(const QByteArray &html, const HtmlLimits &limits)
{
    TagStats st;
    int depth = 0;
    int foreignDepth = -1; // inside <svg> or <math>, "/>" closes an element
    const qsizetype n = html.size();
    const char *d = html.constData();
    qsizetype i = 0;
    while (i < n) {
        i = html.indexOf('<', i);
        if (i < 0 || i + 1 >= n)
            break;
        const char c = d[i + 1];
        if (c == '!' && html.mid(i, 4) == "<!--") {
            const qsizetype end = html.indexOf("-->", i + 4);
            i = end < 0 ? n : end + 3;
            continue;
        }
        if (c == '!' || c == '?') {
            const qsizetype end = html.indexOf('>', i + 2);
            i = end < 0 ? n : end + 1;
            continue;
        }
        const bool closing = c == '/';
        qsizetype j = i + (closing ? 2 : 1);
        if (j >= n || !((d[j] >= 'a' && d[j] <= 'z') || (d[j] >= 'A' && d[j] <= 'Z'))) {
            i = j; // a stray '<' is text
            continue;
        }
        const qsizetype nameStart = j;
        while (j < n && isTagNameChar(d[j]))
            ++j;
        const TagName name(d + nameStart, j - nameStart);
        const qsizetype end = html.indexOf('>', j);
        if (end < 0)
            break;
        const bool selfClosing = end > j && d[end - 1] == '/';
        i = end + 1;
        if (closing) {
            if (!isFlatTag(name) && depth > 0) {
                --depth;
                if (depth < foreignDepth)
                    foreignDepth = -1;
            }
            continue;
        }
        if (++st.nodes > limits.maxNodes)
            return st;
        if ((st.work += depth) > kMaxParseWork)
            return st;
        if (isRawTextTag(name)) {
            // Its content is text up to the matching end tag.
            const QByteArray endTag = "</" + QByteArray(name.text, qsizetype(name.size));
            const qsizetype close = html.indexOf(endTag, i);
            const qsizetype closeUpper = html.indexOf(endTag.toUpper(), i);
            qsizetype stop = close < 0 ? closeUpper : closeUpper < 0 ? close : std::min(close, closeUpper);
            i = stop < 0 ? n : stop;
            continue;
        }
        if (isFlatTag(name) || (selfClosing && foreignDepth >= 0))
            continue;
        if ((name.is("svg") || name.is("math")) && foreignDepth < 0)
            foreignDepth = depth;
        if (++depth > st.maxDepth) {
            st.maxDepth = depth;
            if (st.maxDepth > limits.maxDepth)
                return st;
        }
    }
    return st;
}

// ---- whitespace at tags ------------------------------------------------------------

// Manuals are indented markup: a quarter of the GIMP manual's bytes are
// whitespace between tags, and the parser handles every character as a
// token of its own. This writes `html` to `out` with each run of two or more
// HTML whitespace characters that directly follows a '>' or directly
// precedes a '<' cut to its first character; true when it cut any.
//
// Why the page reads the same: the tokenizer treats a whitespace run like
// one whitespace character in every state, so the tree has the same
// elements and attributes; only text, comments and attribute values can
// hold a shorter run. Every text the walk keeps is whitespace-simplified,
// and comments are not read. An attribute value holds a cut run only next
// to a '<' or '>' of its own; the few that the walk reads verbatim are
// checked for those (foldingMayShow), and such a page is parsed again as
// written.
bool foldWhitespaceAtTags(const QByteArray &html, QByteArray &out)
{
    const char *const begin = html.constData();
    const char *const end = begin + html.size();
    out.resize(html.size());
    char *o = out.data();
    const char *copied = begin; // html before this is in out
    bool cut = false;
    for (const char *p = begin; p < end;) {
        if (!detail::isHtmlSpace(*p)) {
            ++p;
            continue;
        }
        const char *run = p;
        while (p < end && detail::isHtmlSpace(*p))
            ++p;
        if (p - run < 2 || !((run > begin && run[-1] == '>') || (p < end && *p == '<')))
            continue;
        const size_t keep = size_t(run - copied) + 1;
        std::memcpy(o, copied, keep);
        o += keep;
        copied = p;
        cut = true;
    }
    if (!cut)
        return false;
    std::memcpy(o, copied, size_t(end - copied));
    o += end - copied;
    out.truncate(o - out.constData());
    return true;
}

// True when an attribute that the walk reads without simplifying its
// whitespace (an image's src or data, an element's class) holds a '<' or
// '>', and so may hold a run that foldWhitespaceAtTags cut.
bool foldingMayShow(const GumboNode *root)
{
    std::vector<const GumboNode *> pending{root};
    while (!pending.empty()) {
        const GumboNode *node = pending.back();
        pending.pop_back();
        if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)
            continue;
        const GumboElement &el = node->v.element;
        for (unsigned i = 0; i < el.attributes.length; ++i) {
            const auto *attr = static_cast<const GumboAttribute *>(el.attributes.data[i]);
            // Named as gumbo_get_attribute() finds them, case aside.
            if ((strcasecmp(attr->name, "src") == 0 || strcasecmp(attr->name, "data") == 0
                 || strcasecmp(attr->name, "class") == 0)
                && std::strpbrk(attr->value, "<>"))
                return true;
        }
        for (unsigned i = 0; i < el.children.length; ++i)
            pending.push_back(static_cast<const GumboNode *>(el.children.data[i]));
    }
    return false;
}

} // namespace

HtmlReader::HtmlReader(const QString &corpusRoot, HtmlLimits limits)
    : m_root(QDir::cleanPath(QDir(corpusRoot).absolutePath()))
    , m_canonicalRoot(QFileInfo(corpusRoot).canonicalFilePath())
    , m_limits(limits)
    , m_targets(std::make_shared<ImageTargets>())
{
}

QStringList HtmlReader::listPages(QStringList *refused) const
{
    if (m_canonicalRoot.isEmpty() || !QFileInfo(m_canonicalRoot).isDir())
        return {};
    QSet<QString> visitedDirs{m_canonicalRoot};
    QVector<PageEntry> pages;
    collectPages(m_root, m_canonicalRoot, QString(), m_canonicalRoot, visitedDirs, pages, refused);
    std::sort(pages.begin(), pages.end(),
              [](const PageEntry &a, const PageEntry &b) { return a.relative < b.relative; });
    QStringList result;
    QSet<QString> seen;
    for (const PageEntry &entry : std::as_const(pages)) {
        if (seen.contains(entry.canonical))
            continue;
        seen.insert(entry.canonical);
        result.append(entry.relative);
    }
    return result;
}

Result<Document> HtmlReader::readPage(const QString &relativePath) const
{
    const QString relative = QDir::cleanPath(QDir::fromNativeSeparators(relativePath));
    const QString path = QDir::cleanPath(QDir(m_root).absoluteFilePath(relative));
    if (relative.isEmpty() || relative == QLatin1String(".") || path == m_root
        || !isInside(path, m_root))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("page path is not inside the corpus root %1").arg(m_root),
                         relativePath);
    const QFileInfo info(path);
    if (!info.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("page does not exist"), path);
    if (!isInside(m_targets->canonicalFile(path), m_canonicalRoot))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("page links to a file outside the corpus root"), path);
    if (!info.isFile())
        return makeError(ErrorCode::IoError, QStringLiteral("not a regular file"), path);
    if (info.size() > m_limits.maxBytes)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("too_complex: page is %1 bytes, over ingest.html_max_bytes (%2); not read")
                             .arg(info.size())
                             .arg(m_limits.maxBytes),
                         path);
    QFile file(path);
    // Unbuffered: read() fills the page's buffer straight from the file, not
    // through QFile's own buffer (a second copy and allocation per page).
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return makeError(ErrorCode::IoError, file.errorString(), path);
    // Bounded even if the file grew since it was listed. QIODevice::read(n)
    // allocates n bytes up front: ask for the size seen plus one, and only
    // for more when the file did grow (else every page costs a 32 MiB buffer).
    QByteArray bytes = file.read(std::min(m_limits.maxBytes, info.size()) + 1);
    if (bytes.size() > info.size() && file.error() == QFileDevice::NoError)
        bytes += file.read(m_limits.maxBytes + 1 - bytes.size());
    if (bytes.size() > m_limits.maxBytes)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("too_complex: page is over ingest.html_max_bytes (%1); not read").arg(m_limits.maxBytes), path);
    if (file.error() != QFileDevice::NoError)
        return makeError(ErrorCode::IoError, file.errorString(), path);

    // The structural limits above keep parsing bounded; the time budget is
    // the last guard, checked between the steps and during the walk (gumbo's
    // parse itself cannot be interrupted).
    const QDeadlineTimer deadline(m_limits.maxMillis > 0 ? m_limits.maxMillis : qint64(QDeadlineTimer::Forever));
    const auto overBudget = [&] {
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("too_complex: took longer than ingest.html_max_ms (%1 ms); not used").arg(m_limits.maxMillis), path);
    };

    Document doc;
    doc.key = QStringLiteral("html:") + relative;
    doc.sourcePath = path;
    if (bytes.isEmpty()) {
        doc.encoding = QStringLiteral("UTF-8");
        return doc;
    }

    detail::DecodedHtml decoded = detail::decodeHtml(bytes);
    doc.encoding = decoded.encoding;
    doc.warnings = std::move(decoded.warnings);
    // In UTF-8 a byte under 0x20 is always that ASCII character.
    const qsizetype controls = std::count_if(decoded.utf8.cbegin(), decoded.utf8.cend(), [](char c) {
        return uchar(c) < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f';
    });
    if (controls > 0)
        doc.warnings.append(
            QStringLiteral("%1 control character(s) ignored; the file may not be HTML").arg(controls));

    // Kept from page to page, as the arena is, unless a huge page grew it.
    thread_local QByteArray folded;
    struct DropHugeBuffer {
        QByteArray &buffer;
        ~DropHugeBuffer()
        {
            if (size_t(buffer.capacity()) > GumboArena::kKeptBytes)
                buffer = QByteArray();
        }
    } const dropHuge{folded};
    const bool didFold = m_foldWhitespace && foldWhitespaceAtTags(decoded.utf8, folded);
    const QByteArray &markup = didFold ? folded : decoded.utf8;
    const TagStats tags = scanTags(markup, m_limits);
    if (tags.nodes > m_limits.maxNodes)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("too_complex: more than %1 elements (ingest.html_max_nodes); not parsed").arg(m_limits.maxNodes), path);
    if (tags.work > kMaxParseWork)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("too_complex: too many elements nested too deep to parse in reasonable time; not parsed"), path);
    if (tags.maxDepth > m_limits.maxDepth)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("too_complex: elements nested deeper than %1 (ingest.html_max_depth); not parsed").arg(m_limits.maxDepth),
                         path);

    // Text runs lifted out of what gumbo parses (detail/liftedtext.h), and
    // put back before anything reads the tree; kept like `folded`.
    thread_local QByteArray lifted;
    const DropHugeBuffer dropHugeLifted{lifted};
    detail::LiftedText liftedText;
    const bool didLift = m_liftText && liftedText.lift(markup, lifted);

    // How a parse went: the Document is complete, or the page must be
    // parsed again, without lifting or as written.
    enum class Parsed { Walked, LiftMissed, FoldingMayShow };
    const auto parseAndWalk = [&](const QByteArray &html, bool afterFolding, detail::LiftedText *runs) -> Result<Parsed> {
        thread_local GumboArena arena;
        const GumboArenaReset dropTree{arena};
        GumboOptions options = kGumboDefaultOptions;
        options.max_errors = kMaxParseErrors;
        options.allocator = &GumboArena::allocate;
        options.deallocator = &GumboArena::deallocate;
        options.userdata = &arena;
        GumboOutput *output = gumbo_parse_with_options(&options, html.constData(), size_t(html.size()));
        if (!output || !output->document)
            return makeError(ErrorCode::Internal, QStringLiteral("HTML parser returned nothing"), path);
        if (deadline.hasExpired())
            return overBudget();
        if (runs && !runs->restore(output->document, &GumboArena::allocate, &arena))
            return Parsed::LiftMissed;
        if (afterFolding && foldingMayShow(output->root))
            return Parsed::FoldingMayShow;
        if (const GumboNode *titleNode = findFirst(output->root, GUMBO_TAG_TITLE, 0))
            doc.title = textOf(titleNode);
        PageWalker walker(doc, info.absolutePath(), m_root, m_canonicalRoot, *m_targets, deadline);
        if (!walker.run(output->document) || deadline.hasExpired())
            return overBudget();
        return Parsed::Walked;
    };
    auto walked = didLift ? parseAndWalk(lifted, didFold, &liftedText) : parseAndWalk(markup, didFold, nullptr);
    if (walked && *walked == Parsed::LiftMissed) {
        // A run was not text after all, or a mode dropped text: parse the
        // page with its text in place (rare; see detail/liftedtext.h).
        walked = parseAndWalk(markup, didFold, nullptr);
    }
    if (walked && *walked == Parsed::FoldingMayShow) {
        // An attribute the walk reads verbatim may hold folded whitespace:
        // parse the page as it was written (rare; see foldWhitespaceAtTags).
        walked = parseAndWalk(decoded.utf8, false, nullptr);
    }
    if (!walked)
        return walked.error();
    return doc;
}

} // namespace rs
