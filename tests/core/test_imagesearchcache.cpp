// The search index cache (core/index/imagesearch): a second load reads the
// BM25 and IVF indices from the project instead of rebuilding them, finds
// the same; a curator's edit, a new alt text or a changed vector makes the
// cached part miss, and the rebuilt index finds the new text.

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/index/imagesearch.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "tests/bench/syntheticdata.h"

#include <QTemporaryDir>
#include <QTest>

using namespace rs;

namespace {

std::vector<qint64> idsOf(const Result<std::vector<ImageHit>> &hits)
{
    std::vector<qint64> out;
    if (hits)
        for (const ImageHit &h : hits.value())
            out.push_back(h.imageId);
    return out;
}

} // namespace

class TestImageSearchCache : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void textPart()
    {
        QTemporaryDir tmp;
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        ProjectStore &s = **store;
        QVERIFY(s.exec(QStringLiteral("INSERT INTO sources(id, format, path, added_at) VALUES(1, 'html', '/c', 'now')")).ok());
        QVERIFY(s.exec(QStringLiteral("INSERT INTO documents(id, source_id, doc_key) VALUES(1, 1, 'd')")).ok());
        const char *alts[] = {"a red volcano at dusk", "a blue lake", "the volcano erupts again"};
        for (int i = 1; i <= 3; ++i) {
            QVERIFY(s.exec(QStringLiteral("INSERT INTO images(id, image_key) VALUES(?, ?)"), {i, QStringLiteral("k%1").arg(i)}).ok());
            QVERIFY(s.exec(QStringLiteral("INSERT INTO image_refs(image_id, document_id, position, alt) VALUES(?, 1, ?, ?)"),
                           {i, i, QString::fromLatin1(alts[i - 1])}).ok());
        }
        auto recipe = Recipe::load(s);
        QVERIFY(recipe.ok());
        JobContext ctx;
        ImageSearch::LoadInfo info;
        auto first = ImageSearch::load(s, *recipe, ctx, ImageSearch::TextPart, &info);
        QVERIFY(first.ok());
        QVERIFY(!info.textFromCache);
        // The shorter document ranks first (BM25 length normalisation).
        QCOMPARE(idsOf(first->text(QStringLiteral("volcano"), 10)), (std::vector<qint64>{3, 1}));

        auto second = ImageSearch::load(s, *recipe, ctx, ImageSearch::TextPart, &info);
        QVERIFY(second.ok());
        QVERIFY(info.textFromCache);
        QCOMPARE(second->textCount(), qint64(3));
        QCOMPARE(idsOf(second->text(QStringLiteral("volcano"), 10)), idsOf(first->text(QStringLiteral("volcano"), 10)));
        QCOMPARE(second->text(QStringLiteral("lake"), 10)->front().score, first->text(QStringLiteral("lake"), 10)->front().score);

        // A curator's edit of image 2's synthetic text: a miss, and the word is found.
        QVERIFY(s.exec(QStringLiteral("INSERT INTO decisions(image_id, syn_text, at) VALUES(2, 'a glacier lake', '2026-01-01T00:00:00')")).ok());
        auto edited = ImageSearch::load(s, *recipe, ctx, ImageSearch::TextPart, &info);
        QVERIFY(edited.ok());
        QVERIFY(!info.textFromCache);
        QCOMPARE(idsOf(edited->text(QStringLiteral("glacier"), 10)), std::vector<qint64>{2});

        // A new reference (ingest): a miss again.
        QVERIFY(s.exec(QStringLiteral("INSERT INTO image_refs(image_id, document_id, position, alt) VALUES(1, 1, 9, 'penguin')")).ok());
        auto added = ImageSearch::load(s, *recipe, ctx, ImageSearch::TextPart, &info);
        QVERIFY(added.ok());
        QVERIFY(!info.textFromCache);
        QCOMPARE(idsOf(added->text(QStringLiteral("penguin"), 10)), std::vector<qint64>{1});

        // A damaged cache file is rebuilt, not read.
        QFile f(s.sidePath(QStringLiteral("cache/search-text.bin")));
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.resize(f.size() / 2);
        f.close();
        auto rebuilt = ImageSearch::load(s, *recipe, ctx, ImageSearch::TextPart, &info);
        QVERIFY(rebuilt.ok());
        QVERIFY(!info.textFromCache);
        QCOMPARE(idsOf(rebuilt->text(QStringLiteral("penguin"), 10)), std::vector<qint64>{1});
    }

    void densePart()
    {
        // Just above the brute-force limit, so the IVF index is built and cached.
        const qint64 n = ImageSearch::kExactImages + 1;
        constexpr int d = 8;
        QTemporaryDir tmp;
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        ProjectStore &s = **store;
        {
            Transaction tx(s);
            auto insert = s.prepare(QStringLiteral("INSERT INTO images(id, image_key) VALUES(?, ?)"));
            QVERIFY(insert.ok());
            for (qint64 i = 1; i <= n; ++i)
                QVERIFY(s.execPrepared(*insert, {i, QStringLiteral("k%1").arg(i)}).ok());
            QVERIFY(tx.commit().ok());
        }
        const test::ClusteredData data = test::makeClusteredData(n, 50, d, 0.5f, 8);
        QVector<qint64> ids;
        for (qint64 i = 1; i <= n; ++i)
            ids << i;
        auto emb = EmbeddingStore::open(EmbeddingStore::projectDir(s), QStringLiteral("images"), QStringLiteral("test"), d);
        QVERIFY(emb.ok());
        QVERIFY((*emb)->put(ids, data.points).ok());
        QVERIFY((*emb)->flush().ok());
        auto recipe = Recipe::load(s);
        QVERIFY(recipe.ok());
        JobContext ctx;
        ImageSearch::LoadInfo info;
        auto first = ImageSearch::load(s, *recipe, ctx, ImageSearch::DensePart, &info);
        QVERIFY(first.ok());
        QVERIFY(!info.denseFromCache);
        auto second = ImageSearch::load(s, *recipe, ctx, ImageSearch::DensePart, &info);
        QVERIFY(second.ok());
        QVERIFY(info.denseFromCache);
        for (qint64 id : {qint64(1), qint64(777), n}) {
            const auto a = first->similar(id, 10), b = second->similar(id, 10);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(idsOf(b), idsOf(a));
        }

        // One vector changes (the embed stage re-ran): the IVF index is rebuilt.
        Matrix changed(1, d);
        std::copy_n(data.points.row(10), d, changed.row(0));
        QVERIFY((*emb)->put({5}, changed).ok());
        QVERIFY((*emb)->flush().ok());
        auto third = ImageSearch::load(s, *recipe, ctx, ImageSearch::DensePart, &info);
        QVERIFY(third.ok());
        QVERIFY(!info.denseFromCache);
        // Image 5 now carries image 11's vector: each is the other's nearest.
        QCOMPARE(idsOf(third->similar(5, 1)), std::vector<qint64>{11});
    }
};

QTEST_GUILESS_MAIN(TestImageSearchCache)
#include "test_imagesearchcache.moc"
