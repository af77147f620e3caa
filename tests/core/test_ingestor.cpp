// Ingest of hostile and careless corpora (issue 11): every source, page or
// shard that cannot be used is counted and logged, the others still go in,
// and nothing stalls.

#include "core/extract/sentencefilters.h"
#include "core/ingest/ingestor.h"
#include "core/ingest/wdsreader.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/verdicts.h"

#include <QDir>
#include <QElapsedTimer>
#include <QScopeGuard>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

#include <archive.h>
#include <archive_entry.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace rs;

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

// A one-sample shard: {key}.jpg with `image`, {key}.txt with `caption`.
bool writeShard(const QString &path, const QByteArray &image, const QByteArray &caption)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    archive *a = archive_write_new();
    archive_write_set_format_ustar(a);
    bool ok = archive_write_open_filename(a, QFile::encodeName(path).constData()) == ARCHIVE_OK;
    for (const auto &[name, data] : {std::pair<const char *, QByteArray>{"000000000.jpg", image}, {"000000000.txt", caption}}) {
        archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, data.size());
        ok = ok && archive_write_header(a, e) == ARCHIVE_OK && archive_write_data(a, data.constData(), size_t(data.size())) == data.size();
        archive_entry_free(e);
    }
    ok = archive_write_close(a) == ARCHIVE_OK && ok;
    archive_write_free(a);
    return ok;
}

// An HTML ingest of `corpus` under the recipe's filters and limits, as
// `realsyn ingest` and the studio's New project run it.
IngestOptions recipeHtmlIngest(const QString &corpus, const Recipe &recipe)
{
    IngestOptions opts;
    opts.format = QStringLiteral("html");
    opts.paths = {corpus};
    applyIngestRecipe(opts, recipe);
    return opts;
}

// Every sentence's verdict, "id reason duplicate_of", in id order.
QStringList verdicts(ProjectStore &store)
{
    QStringList out;
    auto q = store.exec(QStringLiteral("SELECT id, coalesce(reject_reason, '-'), coalesce(duplicate_of, 0) FROM sentences ORDER BY id"));
    while (q && q->next())
        out << q->value(0).toString() + QLatin1Char(' ') + q->value(1).toString() + QLatin1Char(' ') + q->value(2).toString();
    return out;
}

// Pages whose sentences meet every sentence filter: duplicates within and
// across pages (exact and by normalised key), short ones, code, a URL.
void writeSentencePages(const QString &corpus, const QString &prefix)
{
    writeFile(corpus + QLatin1Char('/') + prefix + QStringLiteral("a.html"),
              "<p>The brush tool paints soft strokes on the canvas. Click here. Short one.</p>"
              "<pre>int main() { return 0; }</pre>"
              "<p>Read the manual at https://example.org/manual for every detail of the tools.</p>"
              "<p>The brush tool paints soft strokes on the canvas.</p>");
    writeFile(corpus + QLatin1Char('/') + prefix + QStringLiteral("b.html"),
              "<p>THE BRUSH TOOL PAINTS SOFT STROKES ON THE CANVAS. Layers keep each part of an image apart.</p>"
              "<p>The brush tool paints soft strokes on the canvas. Click here.</p>");
}

// A fresh project ("p" in `dir`) with the sentence pages ("corpus")
// ingested under its recipe's filters, each of `settings` ("key=value")
// set on the recipe first: where the tests of ingest's sentence verdicts
// start. `status` says what failed, if anything did.
struct IngestedSentences {
    QString corpus;
    std::unique_ptr<ProjectStore> store;
    std::optional<Recipe> recipe;
    IngestOptions opts;
    Status status;
};
IngestedSentences ingestSentencePages(const QTemporaryDir &dir, const QStringList &settings = {})
{
    IngestedSentences p;
    p.corpus = dir.filePath(QStringLiteral("corpus"));
    writeSentencePages(p.corpus, QString());
    auto store = ProjectStore::create(dir.filePath(QStringLiteral("p")));
    if (!store) {
        p.status = store.error();
        return p;
    }
    p.store = std::move(store.value());
    auto recipe = Recipe::load(*p.store);
    if (!recipe) {
        p.status = recipe.error();
        return p;
    }
    p.recipe = std::move(recipe.value());
    for (const QString &setting : settings)
        if (p.status = p.recipe->setAssignment(setting); !p.status)
            return p;
    p.opts = recipeHtmlIngest(p.corpus, *p.recipe);
    JobContext ctx;
    if (auto report = ingest(*p.store, p.opts, ctx); !report)
        p.status = report.error();
    return p;
}

QStringList issues(ProjectStore &store)
{
    QStringList out;
    auto q = store.exec(QStringLiteral("SELECT context || ' | ' || text FROM issues WHERE stage = 'ingest' ORDER BY id"));
    while (q && q->next())
        out << q->value(0).toString();
    return out;
}

} // namespace

class TestIngestor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void htmlPagesRefusedOrTooComplexAreCountedAndLogged()
    {
        QTemporaryDir tmp;
        const QString corpus = tmp.filePath(QStringLiteral("corpus"));
        writeFile(corpus + QStringLiteral("/a.html"), "<p>The first page has a sentence of plain prose.</p>");
        writeFile(corpus + QStringLiteral("/deep.html"), QByteArray("<div>").repeated(200000));
        writeFile(corpus + QStringLiteral("/z.html"), "<p>The last page is read after the deep one.</p>");
        writeFile(tmp.filePath(QStringLiteral("outside.html")), "<p>not in the corpus</p>");
        QVERIFY(QFile::link(tmp.filePath(QStringLiteral("outside.html")), corpus + QStringLiteral("/link-out.html")));
        QCOMPARE(::mkfifo(QFile::encodeName(corpus + QStringLiteral("/fifo.html")).constData(), 0600), 0);
        // A Latin-1 file name: not UTF-8, so Qt cannot name the file again.
        const QByteArray latin1 = QFile::encodeName(corpus) + "/caf\xe9.html";
        auto removeLatin1 = qScopeGuard([&] { ::unlink(latin1.constData()); }); // QTemporaryDir cannot name it either
        {
            const int fd = ::open(latin1.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            QVERIFY(fd >= 0);
            QVERIFY(::write(fd, "<p>x</p>", 8) == 8);
            ::close(fd);
        }

        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        // With the recipe's filters, so that the sentences the readable
        // pages give are written decided, failures and all around them.
        auto recipe = Recipe::load(**store);
        QVERIFY(recipe.ok());
        const IngestOptions opts = recipeHtmlIngest(corpus, *recipe);
        JobContext ctx;
        QElapsedTimer clock;
        clock.start();
        auto report = ingest(**store, opts, ctx);
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().toString()));
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(report->documentsAdded, 2);
        QCOMPARE(report->documentsTooComplex, 1);
        const QString log = issues(**store).join(QLatin1Char('\n'));
        QVERIFY2(report->documentsFailed == 3, qPrintable(log)); // the link out, the FIFO and the Latin-1 name
        QVERIFY2(log.contains(QLatin1String("deep.html | ")) && log.contains(QLatin1String("too_complex")), qPrintable(log));
        QVERIFY2(log.contains(QLatin1String("link-out.html | page not read: outside_corpus")), qPrintable(log));
        QVERIFY2(log.contains(QLatin1String("fifo.html | page not read: not_regular_file")), qPrintable(log));
        QVERIFY2(log.contains(QLatin1String("caf%E9.html | page not read: undecodable_name")), qPrintable(log));
        // The two readable pages' sentences are in, decided as extract's
        // pass decides them.
        const QStringList written = verdicts(**store);
        QVERIFY2(written.size() >= 2, qPrintable(written.join(QLatin1Char('\n'))));
        QVERIFY(redecideSentences(**store, *recipe, ctx).ok());
        QCOMPARE(verdicts(**store), written);
    }

    // Into a project without sentences, ingest writes each sentence with the
    // verdict extract's pass would give it (the recipe's filters, the same
    // rules), so that the pass has nothing to rewrite. Into one that has
    // sentences already, a duplicate of an earlier one could go unseen: the
    // new sentences are written undecided, and the pass decides them.
    void sentencesOfAFreshProjectAreWrittenDecided()
    {
        QTemporaryDir tmp;
        IngestedSentences p = ingestSentencePages(tmp, {QStringLiteral("extract.min_words=3")});
        QVERIFY2(p.status.ok(), p.status.ok() ? "" : qPrintable(p.status.error().toString()));
        JobContext ctx;
        const QStringList written = verdicts(*p.store);
        const QString all = written.join(QLatin1Char('\n'));
        for (const char *reason : {"exact_duplicate", "normalized_duplicate", "too_few_words", "code_block", "has_url"})
            QVERIFY2(all.contains(QLatin1String(reason)), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String(" - 0")), qPrintable(all)); // and kept ones

        QVERIFY(redecideSentences(*p.store, *p.recipe, ctx).ok());
        QCOMPARE(verdicts(*p.store), written);

        // A second corpus into the same project: undecided until the pass,
        // which then sees its duplicates of the first.
        const QString more = tmp.filePath(QStringLiteral("more"));
        writeSentencePages(more, QStringLiteral("more-"));
        p.opts.paths = {more};
        QVERIFY(ingest(*p.store, p.opts, ctx).ok());
        const QStringList second = verdicts(*p.store).mid(written.size());
        QVERIFY(!second.isEmpty());
        for (const QString &v : second)
            QVERIFY2(v.endsWith(QLatin1String(" - 0")), qPrintable(v));
        QVERIFY(redecideSentences(*p.store, *p.recipe, ctx).ok());
        const QStringList decided = verdicts(*p.store);
        QCOMPARE(decided.mid(0, written.size()), written);
        for (const QString &v : decided.mid(written.size()))
            QVERIFY2(!v.endsWith(QLatin1String(" - 0")), qPrintable(v)); // every one repeats the first corpus

        // Without the recipe's filters (the studio's ingest), nothing is decided.
        auto other = ProjectStore::create(tmp.filePath(QStringLiteral("q")));
        QVERIFY(other.ok());
        IngestOptions bare;
        bare.format = QStringLiteral("html");
        bare.paths = {p.corpus};
        QVERIFY(ingest(**other, bare, ctx).ok());
        for (const QString &v : verdicts(**other))
            QVERIFY2(v.endsWith(QLatin1String(" - 0")), qPrintable(v));
    }

    // Ingest's stream records that it decided every sentence of a fresh
    // project as the recipe's settings do, with the digests the pass would
    // write; extract's pass then reads nothing. Any other settings, more
    // sentences or another writer of the column make the pass decide again.
    void streamVerdictsAreRecordedCurrent()
    {
        QTemporaryDir tmp;
        IngestedSentences p = ingestSentencePages(tmp);
        QVERIFY2(p.status.ok(), p.status.ok() ? "" : qPrintable(p.status.error().toString()));
        JobContext ctx;
        const SentenceFilterSettings settings = SentenceFilterSettings::fromRecipe(*p.recipe);
        QCOMPARE(sentenceVerdictsCurrent(*p.store, settings).value(), true);
        SentenceFilterSettings stricter = settings;
        stricter.minWords = settings.minWords + 8; // more words than any sentence here has
        QCOMPARE(sentenceVerdictsCurrent(*p.store, stricter).value(), false);

        // The digests ingest recorded are the ones the pass writes.
        const QString streamed = verdictDigest(*p.store, {QStringLiteral("extract")}).value();
        const QStringList written = verdicts(*p.store);
        QVERIFY(recordVerdictsDecidedFrom(*p.store, VerdictTable::Sentences, {}).ok());
        QCOMPARE(sentenceVerdictsCurrent(*p.store, settings).value(), false);
        QVERIFY(redecideSentences(*p.store, *p.recipe, ctx).ok());
        QCOMPARE(verdicts(*p.store), written);
        QCOMPARE(verdictDigest(*p.store, {QStringLiteral("extract")}).value(), streamed);
        QCOMPARE(sentenceVerdictsCurrent(*p.store, settings).value(), true); // the pass recorded it

        // Other settings: the pass decides, and records those.
        QVERIFY(p.recipe->set(QStringLiteral("extract.min_words"), QString::number(stricter.minWords)).ok());
        QVERIFY(redecideSentences(*p.store, *p.recipe, ctx).ok());
        QVERIFY(verdicts(*p.store) != written);
        QCOMPARE(sentenceVerdictsCurrent(*p.store, stricter).value(), true);
        QCOMPARE(sentenceVerdictsCurrent(*p.store, settings).value(), false);

        // More sentences, written undecided: not current until the pass.
        const QString more = tmp.filePath(QStringLiteral("more"));
        writeSentencePages(more, QStringLiteral("more-"));
        p.opts.paths = {more};
        QVERIFY(ingest(*p.store, p.opts, ctx).ok());
        QCOMPARE(sentenceVerdictsCurrent(*p.store, stricter).value(), false);
        QVERIFY(redecideSentences(*p.store, *p.recipe, ctx).ok());
        QCOMPARE(sentenceVerdictsCurrent(*p.store, stricter).value(), true);

        // Another writer of the column (the studio's threshold panel writes
        // through writeVerdicts) makes the record go.
        QVector<Verdict> none;
        for (const QString &v : verdicts(*p.store))
            none.push_back({v.section(QLatin1Char(' '), 0, 0).toLongLong(), QString(), 0});
        QVERIFY(writeVerdicts(*p.store, VerdictTable::Sentences, none).ok());
        QCOMPARE(sentenceVerdictsCurrent(*p.store, stricter).value(), false);

        // An interrupted ingest records nothing.
        auto other = ProjectStore::create(tmp.filePath(QStringLiteral("q")));
        QVERIFY(other.ok());
        JobContext canceled;
        canceled.cancel();
        p.opts.paths = {p.corpus};
        QVERIFY(!ingest(**other, p.opts, canceled).ok());
        QCOMPARE(verdictsDecidedFrom(**other, VerdictTable::Sentences), QString());
    }

    // Each batch of pages goes to the parsers largest first, and is written
    // back in page order: documents, and the sentences in them, take their
    // ids in page order whatever the sizes. Here the pages grow with their
    // names, so that every batch is given out in reverse, and one batch
    // spans a write (more pages than one write takes).
    void pagesAreWrittenInPageOrder()
    {
        QTemporaryDir tmp;
        const QString corpus = tmp.filePath(QStringLiteral("corpus"));
        constexpr int kPages = 45;
        for (int i = 0; i < kPages; ++i) {
            QByteArray page = "<html><body>";
            for (int j = 0; j <= i; ++j)
                page += "<p>Page " + QByteArray::number(i) + " says this in sentence number " + QByteArray::number(j) + ".</p>";
            writeFile(corpus + QStringLiteral("/p%1.html").arg(i, 2, 10, QLatin1Char('0')), page + "</body></html>");
        }
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        IngestOptions opts;
        opts.format = QStringLiteral("html");
        opts.paths = {corpus};
        JobContext ctx;
        QVERIFY(ingest(**store, opts, ctx).ok());
        auto q = (*store)->exec(QStringLiteral("SELECT d.doc_key, s.text FROM sentences s JOIN documents d ON d.id = s.document_id"
                                               " ORDER BY s.id"));
        QVERIFY(q.ok());
        QStringList keys;
        int sentences = 0;
        while (q->next()) {
            const QString key = q->value(0).toString();
            if (keys.isEmpty() || keys.back() != key)
                keys << key;
            const int page = keys.size() - 1;
            QVERIFY2(q->value(1).toString().startsWith(QStringLiteral("Page %1 says").arg(page)), qPrintable(key + QStringLiteral(": ") + q->value(1).toString()));
            ++sentences;
        }
        QCOMPARE(keys.size(), kPages);
        QCOMPARE(sentences, kPages * (kPages + 1) / 2);
        for (int i = 0; i < kPages; ++i)
            QCOMPARE(keys[i], QStringLiteral("html:p%1.html").arg(i, 2, 10, QLatin1Char('0')));
        auto ids = (*store)->exec(QStringLiteral("SELECT doc_key FROM documents ORDER BY id"));
        QVERIFY(ids.ok());
        for (int i = 0; ids->next(); ++i)
            QCOMPARE(ids->value(0).toString(), keys.value(i));
    }

    // The pass holds texts in 256 KiB blocks; one longer than a block gets
    // its own, and the texts after it start a new block. Equal long texts
    // are still told equal, and nothing is written past a block's end.
    void longTextsAreGroupedByTheirBytes()
    {
        QTemporaryDir tmp;
        const QString corpus = tmp.filePath(QStringLiteral("corpus"));
        QByteArray page = "<html><body>";
        for (const char *animal : {"heron", "otter", "badger", "falcon", "marten", "plover", "stoat"})
            page += QByteArray("<p>The quiet ") + animal + " watched the river bend below the old stone bridge.</p>";
        writeFile(corpus + QStringLiteral("/animals.html"), page + "</body></html>");
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        auto recipe = Recipe::load(**store);
        QVERIFY(recipe.ok());
        JobContext ctx;
        QVERIFY(ingest(**store, recipeHtmlIngest(corpus, *recipe), ctx).ok());
        QList<qint64> kept;
        for (const QString &v : verdicts(**store))
            if (v.endsWith(QLatin1String(" - 0")))
                kept << v.section(QLatin1Char(' '), 0, 0).toLongLong();
        QVERIFY2(kept.size() >= 6, qPrintable(QString::number(kept.size())));
        // Long texts that differ only in their last byte, and copies of them.
        const QString long1 = QString(300 << 10, u'a') + u'1';
        const QString long2 = QString(600 << 10, u'b') + u'2';
        const QString long1b = QString(300 << 10, u'a') + u'9';
        const QList<QString> texts{long1, QStringLiteral("short and unique words here"), long1, long2, long2, long1b};
        for (int i = 0; i < texts.size(); ++i)
            QVERIFY((*store)->exec(QStringLiteral("UPDATE sentences SET text = ?, dedup_key = ? WHERE id = ?"),
                                   QVariantList{texts[i], QString(texts[i] + QString::number(i)), kept[i]}).ok());
        // The rows were changed behind the pipeline's back: what ingest
        // recorded about their verdicts no longer holds.
        QVERIFY(recordVerdictsDecidedFrom(**store, VerdictTable::Sentences, {}).ok());
        QVERIFY(redecideSentences(**store, *recipe, ctx).ok());
        QStringList after;
        for (const QString &v : verdicts(**store))
            for (int i = 0; i < texts.size(); ++i)
                if (v.section(QLatin1Char(' '), 0, 0).toLongLong() == kept[i])
                    after << v.section(QLatin1Char(' '), 1);
        const auto dupOf = [&](int i) { return QStringLiteral("exact_duplicate %1").arg(kept[i]); };
        QCOMPARE(after, (QStringList{QStringLiteral("- 0"), QStringLiteral("- 0"), dupOf(0), QStringLiteral("- 0"), dupOf(3), QStringLiteral("- 0")}));
    }

    void shardsWithOneNameAndABrokenShard()
    {
        QTemporaryDir tmp;
        const QString a = tmp.filePath(QStringLiteral("a/00000.tar")), b = tmp.filePath(QStringLiteral("b/00000.tar"));
        const QString broken = tmp.filePath(QStringLiteral("c/00001.tar")), after = tmp.filePath(QStringLiteral("d/00002.tar"));
        QVERIFY(writeShard(a, QByteArray("\xff\xd8\xff\xe0 image of a"), "caption of a"));
        QVERIFY(writeShard(b, QByteArray("\xff\xd8\xff\xe0 image of b"), "caption of b"));
        writeFile(broken, QByteArray(100, '\x01')); // not an archive at all
        QVERIFY(writeShard(after, QByteArray("\xff\xd8\xff\xe0 image of d"), "caption of d"));

        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        IngestOptions opts;
        opts.format = QStringLiteral("wds");
        opts.paths = {a, b, broken, after};
        JobContext ctx;
        auto report = ingest(**store, opts, ctx);
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().toString()));
        QCOMPARE(report->documentsAdded, 3); // a, b and the shard after the broken one
        QCOMPARE(report->documentsPresent, 0);
        QCOMPARE(report->imagesAdded, 3);
        QCOMPARE(report->documentsFailed, 1);
        QVERIFY2(issues(**store).join(QLatin1Char('\n')).contains(QLatin1String("00001.tar | source not read")),
                 qPrintable(issues(**store).join(QLatin1Char('\n'))));

        // Each caption stays with its own image.
        auto q = (*store)->exec(QStringLiteral("SELECT i.path, r.caption FROM image_refs r JOIN images i ON i.id = r.image_id ORDER BY r.id"));
        QVERIFY(q.ok());
        int rows = 0;
        while (q->next()) {
            QFile f(q->value(0).toString());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            const QString caption = q->value(1).toString();
            QVERIFY2(bytes.endsWith(QByteArray("image of " + caption.right(1).toLatin1())), qPrintable(caption));
            ++rows;
        }
        QCOMPARE(rows, 3);

        // Ingesting the same shards again adds nothing.
        report = ingest(**store, opts, ctx);
        QVERIFY(report.ok());
        QCOMPARE(report->documentsAdded, 0);
        QCOMPARE(report->documentsPresent, 3);

        // Nor does it in a project ingested before keys carried the path
        // hash ("wds:00000/000000000"), as long as the shard is the same file.
        QVERIFY((*store)->exec(QStringLiteral("UPDATE documents SET doc_key = 'wds:' || substr(doc_key, 5, instr(substr(doc_key, 5), '-') - 1)"
                                              " || substr(doc_key, instr(doc_key, '/')) WHERE source_path IN (?, ?)"),
                               {QFileInfo(a).canonicalFilePath(), QFileInfo(after).canonicalFilePath()})
                    .ok());
        auto legacy = (*store)->scalar(QStringLiteral("SELECT count(*) FROM documents WHERE doc_key IN ('wds:00000/000000000', 'wds:00002/000000000')"));
        QCOMPARE(legacy->toInt(), 2);
        report = ingest(**store, opts, ctx);
        QVERIFY(report.ok());
        QCOMPARE(report->documentsAdded, 0);
        QCOMPARE(report->documentsPresent, 3);
    }
};

QTEST_GUILESS_MAIN(TestIngestor)
#include "test_ingestor.moc"
