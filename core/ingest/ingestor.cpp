#include "core/ingest/ingestor.h"

#include "core/extract/sentencescore.h"
#include "core/extract/sentencesplitter.h"
#include "core/ingest/document.h"
#include "core/store/settingfields.h"
#include "core/ingest/htmlreader.h"
#include "core/ingest/jsonlreader.h"
#include "core/ingest/sourceitem.h"
#include "core/ingest/wdsreader.h"
#include "core/store/nativestatement.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/verdicts.h"
#include "core/util/batchmalloc.h"
#include "core/util/feederpool.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QSqlQuery>
#include <QThreadPool>
#include <QtConcurrent>

#include <algorithm>
#include <deque>
#include <optional>

namespace rs {

namespace {

constexpr int kBatchSize = 64;
// HTML pages are parsed in batches of kPageBatchSize, kPageBatchesInFlight
// batches (128 pages) ahead of the writer. With 64 pages the workers ran dry
// while the writer sat in a WAL checkpoint (two fdatasync()s, ~20 ms).
constexpr int kPageBatchSize = 8;
constexpr int kPageBatchesInFlight = 16;
constexpr int kPagesPerWrite = 32;

struct PreparedSentence {
    int block = 0;   // position of the block (or image, for alt/title) in the document
    BlockKind kind = BlockKind::Body;
    // Text and key as stored (UTF-8), converted here on the workers: the
    // writer binds them as they are.
    QByteArray text;
    SentenceScores scores;
    QByteArray dedupKey;
    int imageRef = -1;     // index into Document::images for alt/title/caption sentences
    bool groundTruth = false;
    QString truthKind;
};

struct PreparedDocument {
    std::optional<Document> doc;
    QString location;
    QString error;
    bool tooComplex = false; // over a limit: counted apart from unreadable items
    QVector<PreparedSentence> sentences;
};

// Splits and scores everything a document says. Runs on worker threads: the
// splitter owns an ICU iterator, so each thread keeps its own.
void prepare(PreparedDocument &p)
{
    if (!p.doc)
        return;
    thread_local SentenceSplitter splitter;
    Document &doc = *p.doc;
    auto addSentences = [&](const QString &text, BlockKind kind, int block, int imageRef, const QString &truthKind) {
        for (const QString &s : splitter.split(text)) {
            PreparedSentence ps;
            ps.block = block;
            ps.kind = kind;
            ps.text = s.toUtf8();
            ps.scores = scoreSentence(s);
            ps.dedupKey = dedupKeyUtf8(s);
            ps.imageRef = imageRef;
            ps.groundTruth = !truthKind.isEmpty();
            ps.truthKind = truthKind;
            p.sentences.push_back(std::move(ps));
        }
    };
    // Figure captions are blocks of the page; link each to the image whose
    // caption it is, so evaluation knows the right text for that image.
    QHash<QString, int> captionOwner;
    QHash<int, int> matchedOwner; // MMC4: block index -> image
    for (int i = 0; i < doc.images.size(); ++i) {
        const ImageRef &ref = doc.images[i];
        if (!ref.caption.isEmpty())
            captionOwner.insert(normalizeWhitespace(ref.caption), i);
        if (ref.matchedBlock >= 0)
            matchedOwner.insert(ref.matchedBlock, i);
    }
    QSet<int> captionUsed;
    p.sentences.reserve(2 * (doc.blocks.size() + doc.images.size())); // about what manuals need: growing moved them all
    for (int b = 0; b < doc.blocks.size(); ++b) {
        const TextBlock &block = doc.blocks[b];
        int owner = -1;
        QString truth;
        if (block.kind == BlockKind::Caption) {
            owner = captionOwner.value(normalizeWhitespace(block.text), -1);
            if (owner >= 0) {
                truth = QStringLiteral("caption");
                captionUsed.insert(owner);
            }
        }
        if (owner < 0 && matchedOwner.contains(b)) {
            owner = matchedOwner.value(b);
            truth = QStringLiteral("matched");
            // MMC4 readers also put the matched sentence in the caption; it
            // is this block, not a second text.
            captionUsed.insert(owner);
        }
        addSentences(block.text, block.kind, block.position, owner, truth);
    }
    for (int i = 0; i < doc.images.size(); ++i) {
        const ImageRef &ref = doc.images[i];
        if (!ref.caption.isEmpty() && !captionUsed.contains(i))
            addSentences(ref.caption, BlockKind::Caption, ref.position, i, QStringLiteral("caption"));
        if (!ref.alt.isEmpty())
            addSentences(ref.alt, BlockKind::Alt, ref.position, i, QStringLiteral("alt"));
        if (!ref.title.isEmpty() && ref.title != ref.alt)
            addSentences(ref.title, BlockKind::Title, ref.position, i, QStringLiteral("title"));
    }
}

QString imageKey(const ImageRef &ref, const Document &doc)
{
    if (ref.refusal.isEmpty())
        return ref.localPath;
    // A refused reference is counted once per distinct target.
    QString target = ref.src;
    const bool looksLikeUrl = target.contains(QLatin1String("://")) || target.startsWith(QLatin1String("data:"));
    if (!looksLikeUrl && !QDir::isAbsolutePath(target) && !doc.sourcePath.isEmpty())
        target = QDir::cleanPath(QFileInfo(doc.sourcePath).absolutePath() + QLatin1Char('/') + target);
    if (target.startsWith(QLatin1String("data:")))
        target = QStringLiteral("data:") + QString::fromLatin1(
            QCryptographicHash::hash(ref.src.toUtf8(), QCryptographicHash::Sha1).toHex().left(16));
    return QStringLiteral("refused:") + ref.refusal + QLatin1Char(':') + target;
}

// Before shard ids carried a hash of the shard's path, WebDataset keys were
// "wds:<name>/<key>". A project ingested then must not get every document
// of the same shard (same source path) a second time. Empty for other keys.
QString legacyWdsKey(const QString &key)
{
    if (!key.startsWith(QLatin1String("wds:")))
        return {};
    const qsizetype slash = key.indexOf(QLatin1Char('/'), 4);
    if (slash < 0)
        return {};
    const qsizetype dash = key.lastIndexOf(QLatin1Char('-'), slash);
    if (dash < 5 || slash - dash != 9)
        return {};
    return key.left(dash) + key.mid(slash);
}

class Writer {
public:
    // With `verdicts`, each sentence is written with its verdict.
    Writer(ProjectStore &store, qint64 sourceId, IngestReport &report, SentenceVerdictStream *verdicts)
        : m_store(store)
        , m_sourceId(sourceId)
        , m_report(report)
        , m_verdicts(verdicts)
    {
    }

    Status write(QVector<PreparedDocument> &batch, JobContext &ctx)
    {
        if (Status s = prepareStatements(); !s)
            return s;
        Transaction tx(m_store);
        auto nextId = m_nextSentenceIdQuery->firstInt64();
        if (!nextId)
            return nextId.error();
        m_nextSentenceId = nextId->value_or(1);
        for (PreparedDocument &p : batch) {
            if (!p.doc) {
                ++(p.tooComplex ? m_report.documentsTooComplex : m_report.documentsFailed);
                ctx.warn(p.error, p.location);
                if (Status s = m_store.logIssue(QStringLiteral("ingest"), QStringLiteral("warning"), QString(), -1, p.error, p.location); !s)
                    return s;
                continue;
            }
            if (Status s = writeOne(p); !s)
                return s;
        }
        return tx.commit();
    }

private:
    // Statements are prepared once per source and bound with native values:
    // ingest writes tens of thousands of rows, and SQLite's parse cost, then
    // Qt's QVariant binding, dominated otherwise.
    Status prepareStatements()
    {
        if (m_prepared)
            return {};
        const std::pair<std::optional<NativeStatement> *, const char *> statements[] = {
            {&m_findDocument, "SELECT id FROM documents WHERE doc_key = ?"},
            {&m_findLegacyDocument, "SELECT id FROM documents WHERE doc_key = ? AND source_path = ?"},
            {&m_insertDocument, "INSERT INTO documents(source_id, doc_key, source_path, url, title, license, encoding, warnings)"
                                " VALUES(?, ?, ?, ?, ?, ?, ?, ?)"},
            {&m_findImage, "SELECT id FROM images WHERE image_key = ?"},
            {&m_insertImage, "INSERT INTO images(image_key, path, refusal) VALUES(?, ?, ?)"},
            {&m_insertRef, "INSERT INTO image_refs(image_id, document_id, position, src, alt, title, caption, matched_block)"
                           " VALUES(?, ?, ?, ?, ?, ?, ?, ?)"},
            {&m_insertTruth, "INSERT OR IGNORE INTO ground_truth(image_id, sentence_id, kind) VALUES(?, ?, ?)"},
            {&m_nextSentenceIdQuery, "SELECT coalesce(max(id), 0) + 1 FROM sentences"},
        };
        for (const auto &[statement, sql] : statements) {
            auto q = NativeStatement::prepare(m_store, sql);
            if (!q)
                return q.error();
            statement->emplace(std::move(q.value()));
        }
        for (auto [statement, rows] : {std::pair{&m_insertSentence, 1}, std::pair{&m_insertSentences, kSentenceRows}}) {
            QByteArray sql = "INSERT INTO sentences(id, document_id, position, block, kind, text, image_ref_id, words,"
                             " entropy, has_url, has_email, has_emoji, dedup_key, reject_reason, duplicate_of) VALUES";
            for (int row = 0; row < rows; ++row)
                sql += row ? ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
            auto q = NativeStatement::prepare(m_store, sql.constData());
            if (!q)
                return q.error();
            statement->emplace(std::move(q.value()));
        }
        m_prepared = true;
        return {};
    }

    // NativeStatement binds a null QString as NULL, as QSqlQuery did; these
    // two columns are NULL when merely empty.
    static QString orNull(const QString &s) { return s.isEmpty() ? QString() : s; }

    Status writeOne(PreparedDocument &p)
    {
        const Document &doc = *p.doc;
        auto existing = m_findDocument->bind(0, doc.key).firstInt64();
        if (!existing)
            return existing.error();
        if (*existing) {
            ++m_report.documentsPresent;
            return {};
        }
        if (const QString legacy = legacyWdsKey(doc.key); !legacy.isEmpty()) {
            auto present = m_findLegacyDocument->bind(0, legacy).bind(1, doc.sourcePath).firstInt64();
            if (!present)
                return present.error();
            if (*present) {
                ++m_report.documentsPresent;
                return {};
            }
        }
        if (Status s = m_insertDocument->bind(0, m_sourceId)
                           .bind(1, doc.key)
                           .bind(2, doc.sourcePath)
                           .bind(3, doc.url)
                           .bind(4, doc.title)
                           .bind(5, doc.license)
                           .bind(6, doc.encoding)
                           .bind(7, doc.warnings.join(QLatin1Char('\n')))
                           .exec();
            !s)
            return s;
        const qint64 docId = m_insertDocument->lastInsertId();
        ++m_report.documentsAdded;

        QVector<qint64> refIds(doc.images.size());
        QVector<qint64> imageIds(doc.images.size());
        for (int i = 0; i < doc.images.size(); ++i) {
            const ImageRef &ref = doc.images[i];
            const QString key = imageKey(ref, doc);
            auto found = m_findImage->bind(0, key).firstInt64();
            if (!found)
                return found.error();
            qint64 imageId = found->value_or(0);
            if (!*found) {
                if (Status s = m_insertImage->bind(0, key).bind(1, orNull(ref.localPath)).bind(2, orNull(ref.refusal)).exec(); !s)
                    return s;
                imageId = m_insertImage->lastInsertId();
                ++m_report.imagesAdded;
            }
            m_insertRef->bind(0, imageId).bind(1, docId).bind(2, ref.position).bind(3, ref.src).bind(4, ref.alt);
            m_insertRef->bind(5, ref.title).bind(6, ref.caption);
            if (ref.matchedBlock >= 0)
                m_insertRef->bind(7, ref.matchedBlock);
            if (Status s = m_insertRef->exec(); !s)
                return s;
            refIds[i] = m_insertRef->lastInsertId();
            imageIds[i] = imageId;
            ++m_report.imageRefsAdded;
        }

        // Sentences go kSentenceRows to a statement (a statement per row
        // took a sixth of the time inserting them took in a bare SQLite
        // test), with their ids given: the next after the largest, as SQLite
        // would assign them, so that ground truth can name them.
        const qsizetype count = p.sentences.size();
        const qint64 firstId = m_nextSentenceId;
        const auto bindRow = [&](NativeStatement &q, int row, qsizetype k) {
            const PreparedSentence &s = p.sentences[k];
            const int c = row * kSentenceColumns;
            const char *kind = blockKindKey(s.kind);
            q.bind(c, firstId + k).bind(c + 1, docId).bind(c + 2, int(k)).bind(c + 3, s.block).bindUtf8(c + 4, kind);
            q.bindUtf8(c + 5, s.text);
            if (s.imageRef >= 0)
                q.bind(c + 6, refIds[s.imageRef]);
            q.bind(c + 7, s.scores.words).bind(c + 8, s.scores.entropy).bind(c + 9, int(s.scores.hasUrl));
            q.bind(c + 10, int(s.scores.hasEmail)).bind(c + 11, int(s.scores.hasEmoji)).bindUtf8(c + 12, s.dedupKey);
            if (m_verdicts) {
                const quint8 flags = SentenceFilterInputs::flagsOf(s.scores.hasUrl, s.scores.hasEmail, s.scores.hasEmoji);
                const SentenceVerdictStream::Verdict v = m_verdicts->decide(
                    firstId + k, SentenceFacts{SentenceFilterInputs::kindOf(kind), s.scores.words, s.scores.entropy, flags},
                    s.text, s.dedupKey);
                if (!v.reason.isEmpty())
                    q.bindUtf8(c + 13, v.reason);
                if (v.duplicateOf)
                    q.bind(c + 14, v.duplicateOf);
            }
        };
        for (qsizetype k = 0; k < count;) {
            const bool full = count - k >= kSentenceRows;
            NativeStatement &q = full ? *m_insertSentences : *m_insertSentence;
            const int rows = full ? kSentenceRows : 1;
            for (int row = 0; row < rows; ++row)
                bindRow(q, row, k + row);
            if (Status st = q.exec(); !st)
                return st;
            k += rows;
        }
        m_nextSentenceId += count;
        m_report.sentencesAdded += count;
        for (qsizetype k = 0; k < count; ++k) {
            const PreparedSentence &s = p.sentences[k];
            if (s.groundTruth && s.imageRef >= 0)
                if (Status st = m_insertTruth->bind(0, imageIds[s.imageRef]).bind(1, firstId + k).bind(2, s.truthKind).exec(); !st)
                    return st;
        }
        return {};
    }

    ProjectStore &m_store;
    qint64 m_sourceId;
    IngestReport &m_report;
    SentenceVerdictStream *m_verdicts;
    bool m_prepared = false;
    std::optional<NativeStatement> m_findDocument, m_findLegacyDocument, m_insertDocument, m_findImage, m_insertImage, m_insertRef,
        m_insertSentence, m_insertSentences, m_insertTruth, m_nextSentenceIdQuery;
    static constexpr int kSentenceColumns = 15;
    static constexpr int kSentenceRows = 16;
    qint64 m_nextSentenceId = 0; // read at the start of each write
};

Result<qint64> registerSource(ProjectStore &store, const QString &format, const QString &path, const QString &imagesRoot)
{
    auto r = store.exec(QStringLiteral("INSERT INTO sources(format, path, images_root, added_at) VALUES(?, ?, ?, ?) "
                                       "ON CONFLICT(format, path) DO UPDATE SET images_root = excluded.images_root"),
                        {format, path, imagesRoot, QDateTime::currentDateTimeUtc().toString(Qt::ISODate)});
    if (!r)
        return r.error();
    auto id = store.scalar(QStringLiteral("SELECT id FROM sources WHERE format = ? AND path = ?"), {format, path});
    if (!id)
        return id.error();
    return id->toLongLong();
}

// Streams one source: `produce` yields unprepared items in order; they are
// prepared on worker threads in batches and written on this thread.
class BatchPump {
public:
    BatchPump(Writer &writer, JobContext &ctx, const IngestOptions &opts, qint64 *seen)
        : m_writer(writer), m_ctx(ctx), m_opts(opts), m_seen(seen) {}

    // Returns false when the caller should stop producing (limit reached or
    // canceled or a write failed; see status()).
    bool push(PreparedDocument &&item)
    {
        if (m_opts.limit >= 0 && *m_seen >= m_opts.limit)
            return false;
        ++*m_seen;
        m_batch.push_back(std::move(item));
        if (m_batch.size() >= kBatchSize)
            flush();
        return m_status.ok() && !m_ctx.isCanceled() && !(m_opts.limit >= 0 && *m_seen >= m_opts.limit);
    }
    void flush()
    {
        if (m_batch.isEmpty() || !m_status.ok())
            return;
        QtConcurrent::blockingMap(m_batch, [](PreparedDocument &p) { prepare(p); });
        m_status = m_writer.write(m_batch, m_ctx);
        m_batch.clear();
    }
    const Status &status() const { return m_status; }

private:
    Writer &m_writer;
    JobContext &m_ctx;
    const IngestOptions &m_opts;
    qint64 *m_seen;
    QVector<PreparedDocument> m_batch;
    Status m_status;
};

PreparedDocument fromSourceItem(SourceItem &&item)
{
    PreparedDocument p;
    p.location = item.location;
    p.error = item.error;
    p.doc = std::move(item.document);
    return p;
}

} // namespace

void applyIngestRecipe(IngestOptions &options, const Recipe &recipe)
{
    readSettings(recipe, options);
    options.sentenceFilters = SentenceFilterSettings::fromRecipe(recipe);
}

QStringList ingestFormats()
{
    return {QStringLiteral("html"), QStringLiteral("mmc4"), QStringLiteral("obelics"), QStringLiteral("wds")};
}

bool inSample(const QString &key, double fraction, quint64 seed)
{
    if (fraction >= 1.0)
        return true;
    if (fraction <= 0.0)
        return false;
    const QByteArray h = QCryptographicHash::hash(QByteArray(QByteArray::number(seed) + '\0' + key.toUtf8()), QCryptographicHash::Sha1);
    quint64 v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | quint8(h[i]);
    return double(v >> 11) / double(1ULL << 53) < fraction;
}

Result<IngestReport> ingest(ProjectStore &store, const IngestOptions &opts, JobContext &ctx)
{
    if (!ingestFormats().contains(opts.format))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("unknown format (expected %1)").arg(ingestFormats().join(QLatin1Char('|'))), opts.format);
    if (opts.paths.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no source path given"));
    if (opts.sample <= 0.0 || opts.sample > 1.0)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("--sample must be in (0, 1]"));
    for (const QString &path : opts.paths) {
        const QFileInfo fi(path);
        if (!fi.exists())
            return makeError(ErrorCode::NotFound, QStringLiteral("no such file or folder"), path);
        if (opts.format == QLatin1String("html") && !fi.isDir())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("--format html expects a folder of pages"), path);
        if (opts.format != QLatin1String("html") && !fi.isFile())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("--format %1 expects a file").arg(opts.format), path);
    }
    if (!opts.imagesDir.isEmpty() && !QFileInfo(opts.imagesDir).isDir())
        return makeError(ErrorCode::NotFound, QStringLiteral("--images: no such folder"), opts.imagesDir);

    // Verdicts as the sentences are written: only into a project without
    // sentences, where every duplicate's first is among them.
    std::optional<SentenceVerdictStream> verdicts;
    if (opts.sentenceFilters) {
        auto none = store.scalar(QStringLiteral("SELECT NOT EXISTS (SELECT 1 FROM sentences)"));
        if (!none)
            return none.error();
        if (none->toBool())
            verdicts.emplace(*opts.sentenceFilters);
    }
    IngestReport report;
    qint64 seen = 0;
    QElapsedTimer clock;
    clock.start();
    for (const QString &path : opts.paths) {
        const QString absolute = QFileInfo(path).canonicalFilePath();
        QString imagesRoot = opts.imagesDir.isEmpty() ? QString() : QFileInfo(opts.imagesDir).canonicalFilePath();
        if (opts.format == QLatin1String("obelics") && imagesRoot.isEmpty())
            imagesRoot = QFileInfo(absolute).absolutePath();
        auto sourceId = registerSource(store, opts.format, absolute, imagesRoot);
        if (!sourceId)
            return sourceId.error();
        Writer writer(store, *sourceId, report, verdicts ? &*verdicts : nullptr);
        BatchPump pump(writer, ctx, opts, &seen);
        const auto progress = [&](const QString &what) {
            ctx.progress(report.documentsAdded + report.documentsPresent + report.documentsFailed, -1, what);
        };

        if (opts.format == QLatin1String("html")) {
            HtmlReader reader(absolute, opts.html);
            QStringList refused;
            const QStringList pages = reader.listPages(&refused);
            // Pages refused while listing (a link out of the corpus, a FIFO,
            // a name that is not UTF-8) are failures too, not silence.
            if (!refused.isEmpty()) {
                QVector<PreparedDocument> failed;
                for (const QString &r : std::as_const(refused)) {
                    PreparedDocument p;
                    const qsizetype colon = r.lastIndexOf(QStringLiteral(": "));
                    p.location = r.left(colon);
                    p.error = QStringLiteral("page not read: ") + r.mid(colon + 2);
                    failed.push_back(std::move(p));
                }
                if (Status s = writer.write(failed, ctx); !s)
                    return s.error();
            }
            // Pages are parsed on the workers: parsing is the cost here. They
            // go out in small batches, several in flight, and this thread
            // writes them in page order while later ones are parsed. Small
            // batches keep the end, where nothing overlaps the last write,
            // short (64-page batches left the workers idle for a whole one).
            // The pool is the ingest's own, so that its workers can yield to
            // this thread (core/util/feederpool.h); its size is the global
            // pool's, which the `threads` setting sets.
            QThreadPool parsers;
            parsers.setMaxThreadCount(QThreadPool::globalInstance()->maxThreadCount());
            startFeederThreads(parsers, preferHugePagesForThisThread); // gumbo's arenas and the pages' texts (core/util/batchmalloc.h)
            const auto parse = [&reader](const QString &rel) {
                PreparedDocument p;
                p.location = rel;
                auto doc = reader.readPage(rel);
                if (doc) {
                    p.doc = std::move(doc.value());
                } else {
                    p.error = doc.error().toString();
                    p.tooComplex = doc.error().code == ErrorCode::Unsupported;
                }
                prepare(p);
                return p;
            };
            QVector<QString> batch;
            // A batch's pages go to the workers largest first, and `order`
            // puts them back in page order for the writer. In page order a
            // worker could meet a batch's largest page last, after the
            // other's had finished: KiCad's manual is 8 pages, two of them
            // 410 and 425 KB, and the second came seventh.
            struct InFlight {
                QFuture<PreparedDocument> pages;
                QVector<int> order; // the batch position of each page given out
            };
            std::deque<InFlight> parsing; // in page order
            // Parsed pages are written kPagesPerWrite at a time, one
            // transaction each (a commit per batch of 8 cost the writer a
            // third more), and whatever is left once nothing is in flight.
            QVector<PreparedDocument> unwritten;
            const auto writeOldest = [&]() -> Status {
                QList<PreparedDocument> parsed = parsing.front().pages.results();
                const QVector<int> &order = parsing.front().order;
                const qsizetype first = unwritten.size();
                unwritten.resize(first + parsed.size());
                for (qsizetype i = 0; i < parsed.size(); ++i)
                    unwritten[first + order[i]] = std::move(parsed[i]);
                parsing.pop_front();
                if (unwritten.size() < kPagesPerWrite && !parsing.empty())
                    return {};
                Status s = writer.write(unwritten, ctx);
                unwritten.clear();
                return s;
            };
            const auto waitForAll = [&]() {
                for (InFlight &f : parsing)
                    f.pages.waitForFinished(); // they read through `reader`
            };
            const QDir root(reader.root());
            const auto flushPages = [&]() -> Status {
                QVector<qint64> bytes(batch.size());
                QVector<int> order(batch.size());
                for (int i = 0; i < batch.size(); ++i) {
                    bytes[i] = QFileInfo(root.filePath(batch[i])).size();
                    order[i] = i;
                }
                std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return bytes[a] > bytes[b]; });
                QVector<QString> largestFirst;
                largestFirst.reserve(batch.size());
                for (int i : std::as_const(order))
                    largestFirst.push_back(batch[i]);
                parsing.push_back({QtConcurrent::mapped(&parsers, largestFirst, parse), std::move(order)});
                batch.clear();
                while (parsing.size() > size_t(kPageBatchesInFlight))
                    if (Status s = writeOldest(); !s) {
                        waitForAll();
                        return s;
                    }
                return {};
            };
            for (const QString &rel : pages) {
                if (opts.limit >= 0 && seen >= opts.limit)
                    break;
                if (!inSample(QStringLiteral("html:") + rel, opts.sample, opts.seed))
                    continue;
                ++seen;
                batch.push_back(rel);
                if (batch.size() >= kPageBatchSize) {
                    if (Status s = flushPages(); !s)
                        return s.error();
                    if (seen % kBatchSize == 0)
                        ctx.progress(seen, pages.size(), QStringLiteral("ingest html"));
                    if (ctx.isCanceled())
                        break;
                }
            }
            if (!batch.isEmpty() && !ctx.isCanceled())
                if (Status s = flushPages(); !s)
                    return s.error();
            // Once canceled, what is parsed but not written is dropped: a
            // resumed ingest adds it.
            while (!parsing.empty() && !ctx.isCanceled())
                if (Status s = writeOldest(); !s) {
                    waitForAll();
                    return s.error();
                }
            waitForAll();
        } else {
            const auto sink = [&](SourceItem &&item) {
                if (item.document && !inSample(item.document->key, opts.sample, opts.seed))
                    return true;
                const bool more = pump.push(fromSourceItem(std::move(item)));
                if ((seen % kBatchSize) == 0)
                    progress(QStringLiteral("ingest ") + opts.format);
                return more;
            };
            Status read;
            if (opts.format == QLatin1String("wds")) {
                WdsReader reader(absolute, store.sidePath(QStringLiteral("media/wds")), opts.wds);
                read = reader.read(sink, ctx.cancelFlag());
            } else {
                const auto flavor = opts.format == QLatin1String("mmc4") ? JsonlReader::Flavor::Mmc4 : JsonlReader::Flavor::Obelics;
                JsonlReader reader(flavor, absolute, imagesRoot);
                read = reader.read(sink, ctx.cancelFlag());
            }
            pump.flush();
            if (!pump.status())
                return pump.status().error();
            if (!read && read.error().code != ErrorCode::Canceled) {
                // One broken source must not cost the others: record it and go on.
                PreparedDocument p;
                p.location = QFileInfo(absolute).fileName();
                p.error = QStringLiteral("source not read: ") + read.error().toString();
                QVector<PreparedDocument> failed{std::move(p)};
                if (Status s = writer.write(failed, ctx); !s)
                    return s.error();
            }
        }
        if (ctx.isCanceled())
            break;
    }
    if (report.documentsAdded > 0)
        if (Status s = store.bumpDataGeneration(); !s)
            return s.error();
    // The stream decided every sentence the project holds, exactly as
    // extract's pass would: record so, with the digests writeVerdicts would
    // have written, and extract need not decide them again. Not after an
    // interruption (nor, above, an error): the pass then decides them all.
    if (verdicts && !ctx.isCanceled()) {
        if (Status s = recordVerdictDigests(store, VerdictTable::Sentences, verdicts->refused()); !s)
            return s.error();
        if (Status s = recordSentenceVerdictsCurrent(store, *opts.sentenceFilters); !s)
            return s.error();
    }
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("ingest interrupted; documents written so far are kept"));
    return report;
}

} // namespace rs
