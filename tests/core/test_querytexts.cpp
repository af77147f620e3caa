#include "core/extract/sentencescore.h"
#include "core/index/querytexts.h"
#include "core/store/projectstore.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;

namespace {

// A hand-made page: image 1 at block 5 with alt text and a figure caption
// (its ground truth), prose around it, a prose sentence that repeats the
// caption, a code block, and image 2 with its own alt text next to it.
class Page {
public:
    explicit Page(ProjectStore &s) : store(s)
    {
        exec(QStringLiteral("INSERT INTO sources(id, format, path, added_at) VALUES(1, 'html', '/c', 'now')"));
        exec(QStringLiteral("INSERT INTO documents(id, source_id, doc_key) VALUES(1, 1, 'page')"));
        for (int i : {1, 2})
            exec(QStringLiteral("INSERT INTO images(id, image_key, path) VALUES(%1, 'k%1', '/c/%1.png')").arg(i));
        exec(QStringLiteral("INSERT INTO image_refs(id, image_id, document_id, position, alt, caption) VALUES"
                            "(1, 1, 1, 5, 'Quokka dialog window', 'Figure 3. The quokka settings dialog.')"));
        exec(QStringLiteral("INSERT INTO image_refs(id, image_id, document_id, position, alt) VALUES(2, 2, 1, 8, 'Sibling icon')"));
        cap = sentence(5, QStringLiteral("caption"), QStringLiteral("Figure 3. The quokka settings dialog."), 1);
        alt = sentence(5, QStringLiteral("alt"), QStringLiteral("Quokka dialog window"), 1);
        dup = sentence(6, QStringLiteral("body"), QStringLiteral("figure 3: the Quokka settings dialog"));
        b1 = sentence(4, QStringLiteral("body"), QStringLiteral("Open the preferences to change the brush size."));
        b2 = sentence(7, QStringLiteral("body"), QStringLiteral("Each tool has options in its own panel."));
        b3 = sentence(2, QStringLiteral("heading"), QStringLiteral("Layers are stacked from bottom to top."));
        b4 = sentence(9, QStringLiteral("body"), QStringLiteral("Gradients blend colours smoothly."));
        code = sentence(5, QStringLiteral("code"), QStringLiteral("quokka --run now please"));
        sibling = sentence(8, QStringLiteral("alt"), QStringLiteral("Sibling icon"), 2);
        exec(QStringLiteral("INSERT INTO ground_truth(image_id, sentence_id, kind) VALUES(1, %1, 'caption'), (1, %2, 'alt'), (2, %3, 'alt')")
                 .arg(cap).arg(alt).arg(sibling));
        // OCR: one confident line, one garbage line below the confidence floor.
        exec(QStringLiteral("INSERT INTO expert_findings(image_id, expert, kind, level, label, confidence, input_hash) VALUES"
                            "(1, 'tesseract-ocr', 'ocr', 'line', 'Brush Size', 0.9, 'h'),"
                            "(1, 'tesseract-ocr', 'ocr', 'word', 'Brush', 0.9, 'h'),"
                            "(1, 'tesseract-ocr', 'ocr', 'line', 'x#Qz', 0.2, 'h')"));
    }
    void exec(const QString &sql)
    {
        auto r = store.exec(sql);
        QVERIFY2(r.ok(), qPrintable(sql + (r.ok() ? QString() : r.error().toString())));
    }
    qint64 sentence(int block, const QString &kind, const QString &text, int imageRef = 0)
    {
        auto r = store.exec(QStringLiteral("INSERT INTO sentences(document_id, position, block, kind, text, image_ref_id, words, entropy,"
                                           " has_url, has_email, has_emoji, dedup_key) VALUES(1, ?, ?, ?, ?, ?, 5, 2, 0, 0, 0, ?)"),
                            {++position, block, kind, text, imageRef > 0 ? QVariant(imageRef) : QVariant(QMetaType(QMetaType::Int)), dedupKey(text)});
        return r.ok() ? r->lastInsertId().toLongLong() : -1;
    }

    ProjectStore &store;
    int position = 0;
    qint64 cap = 0, alt = 0, dup = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, code = 0, sibling = 0;
};

} // namespace

class TestQueryTexts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanup()
    {
        m_page.reset();
        m_store.reset(); // before its folder goes
        m_tmp.reset();
    }

    void init()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        auto store = ProjectStore::create(m_tmp->filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        m_store = std::move(*store);
        m_page = std::make_unique<Page>(*m_store);
    }

    void strictQueryHoldsNothingOfTheGroundTruth()
    {
        QueryTextOptions opts;
        opts.strict = true;
        opts.ownText = true; // strict wins
        JobContext ctx;
        auto texts = loadQueryTexts(*m_store, {1, 2}, opts, ctx);
        QVERIFY(texts.ok());
        const ImageQueryText t = texts->value(1);
        // Every ground-truth text and everything equal to it is hidden: the
        // distinctive word of the caption and alt text never reaches the query.
        QVERIFY(t.own.isEmpty());
        const QString query = t.ocr + QLatin1Char(' ') + t.context + QLatin1Char(' ') + t.neighbours;
        QVERIFY2(!query.contains(QLatin1String("quokka"), Qt::CaseInsensitive), qPrintable(query));
        QVERIFY(!query.contains(QLatin1String("dialog window"), Qt::CaseInsensitive));
        for (qint64 hidden : {m_page->cap, m_page->alt, m_page->dup, m_page->code, m_page->sibling})
            QVERIFY(!t.contextSentences.contains(hidden));
        // The hidden sentence's slot goes to the next nearest one.
        QCOMPARE(t.contextSentences, (QVector<qint64>{m_page->b1, m_page->b2, m_page->b3}));
        QVERIFY(t.context.contains(QLatin1String("Layers are stacked")));
        QCOMPARE(t.ocr, QStringLiteral("Brush Size"));

        // Image 2's own alt text is its ground truth: hidden too.
        const ImageQueryText t2 = texts->value(2);
        QVERIFY(!t2.context.contains(QLatin1String("Sibling"), Qt::CaseInsensitive));
        QVERIFY(t2.ocr.isEmpty());
    }

    void runTimeQueryUsesTheImagesOwnTexts()
    {
        QueryTextOptions opts; // ownText on by default
        JobContext ctx;
        auto texts = loadQueryTexts(*m_store, {1}, opts, ctx);
        QVERIFY(texts.ok());
        const ImageQueryText t = texts->value(1);
        QVERIFY(t.context.startsWith(QLatin1String("The quokka settings dialog.")));
        QVERIFY(t.context.contains(QLatin1String("Quokka dialog window")));
        // The own texts are also a query of their own (fusion weighs them apart).
        // Figure numbers are dropped: rare tokens that match other figures.
        QCOMPARE(t.own, QStringLiteral("The quokka settings dialog. Quokka dialog window"));
        QVERIFY(!t.neighbours.contains(QLatin1String("Quokka dialog window")));
        QVERIFY(t.neighbours.contains(QLatin1String("brush size")));
        // Not strict: the repeated caption in the prose is ordinary context.
        QVERIFY(t.contextSentences.contains(m_page->dup));
        // Sentences of code blocks and other images' alt texts are never context.
        QVERIFY(!t.contextSentences.contains(m_page->code));
        QVERIFY(!t.context.contains(QLatin1String("Sibling")));
    }

    void nothingToQueryWithIsEmptyNotAnError()
    {
        m_page->exec(QStringLiteral("INSERT INTO images(id, image_key, path) VALUES(3, 'k3', '/c/3.png')"));
        JobContext ctx;
        auto texts = loadQueryTexts(*m_store, {3}, QueryTextOptions{}, ctx);
        QVERIFY(texts.ok());
        QVERIFY(texts->value(3).ocr.isEmpty());
        QVERIFY(texts->value(3).context.isEmpty());
        QVERIFY(texts->value(3).contextSentences.isEmpty());
    }

    void hugeTextIsCapped()
    {
        QString ocr;
        for (int i = 0; i < 3000; ++i)
            ocr += QStringLiteral("word%1 ").arg(i);
        m_page->exec(QStringLiteral("INSERT INTO expert_findings(image_id, expert, kind, level, label, confidence, input_hash)"
                                    " VALUES(2, 'tesseract-ocr', 'ocr', 'line', '%1', 0.9, 'h')").arg(ocr));
        QueryTextOptions opts;
        opts.maxChars = 500;
        JobContext ctx;
        auto texts = loadQueryTexts(*m_store, {2}, opts, ctx);
        QVERIFY(texts.ok());
        QVERIFY(texts->value(2).ocrCapped);
        QVERIFY(texts->value(2).ocr.size() <= 500);
        QVERIFY(!texts->value(2).ocr.endsWith(QLatin1Char(' ')));
        QCOMPARE(capText(QStringLiteral("short"), 500), QStringLiteral("short"));
    }

    void documentWithThousandsOfImagesIsLinearAndNoted()
    {
        m_page->exec(QStringLiteral("INSERT INTO documents(id, source_id, doc_key) VALUES(2, 1, 'gallery')"));
        Transaction tx(*m_store);
        QVector<qint64> ids;
        for (int i = 0; i < 3000; ++i) {
            const qint64 id = 100 + i;
            ids << id;
            m_page->exec(QStringLiteral("INSERT INTO images(id, image_key, path) VALUES(%1, 'g%1', '/c/g%1.png')").arg(id));
            m_page->exec(QStringLiteral("INSERT INTO image_refs(image_id, document_id, position) VALUES(%1, 2, %2)").arg(id).arg(2 * i));
            m_page->exec(QStringLiteral("INSERT INTO sentences(document_id, position, block, kind, text, words, entropy, has_url,"
                                        " has_email, has_emoji, dedup_key) VALUES(2, %1, %2, 'body', 'Gallery item number %1 shows a tile.',"
                                        " 7, 2, 0, 0, 0, 'gallery item number %1 shows a tile')").arg(i).arg(2 * i + 1));
        }
        QVERIFY(tx.commit().ok());
        int notes = 0;
        JobContext ctx({}, [&](const JobIssue &issue) { notes += issue.text.contains(QLatin1String("3000 images")) ? 1 : 0; });
        QElapsedTimer timer;
        timer.start();
        auto texts = loadQueryTexts(*m_store, ids, QueryTextOptions{}, ctx);
        QVERIFY(texts.ok());
        QVERIFY2(timer.elapsed() < 20000, "context lookup must not be quadratic in the images of a document");
        QCOMPARE(notes, 1);
        QCOMPARE(texts->value(150).contextSentences.size(), 3);
        QVERIFY(texts->value(150).context.contains(QLatin1String("number 50 ")));
    }

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<ProjectStore> m_store;
    std::unique_ptr<Page> m_page;
};

QTEST_GUILESS_MAIN(TestQueryTexts)
#include "test_querytexts.moc"
