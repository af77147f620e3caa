// The search `realsyn search` and the studio run, on a project of 100k and
// 1M images, first and second time: the first builds the BM25 index (text)
// or the IVF index (more like this) and caches it in the project; the
// second reads the cache. Time of what one `realsyn search` does after
// parsing its arguments: open the project, ImageSearch::load() the part
// the query needs, run one query.
// Each image has one reference with an alt text of 40-80 words drawn from
// a Zipfian vocabulary and a 64-d unit vector. Prints the figures
// (tests/bench/RESULTS.md).
//
//   REALSYN_BENCH_SEARCH_N=n   only this many images (default: 100000 and 1000000)

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/store/projectstore.h"
#include "core/index/imagesearch.h"
#include "core/store/recipe.h"
#include "tests/bench/sizerows.h"
#include "tests/bench/syntheticdata.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <random>

using namespace rs;

class BenchSearchCache : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void firstAndSecond_data()
    {
        rs::test::addSizeRows("REALSYN_BENCH_SEARCH_N");
    }
    void firstAndSecond()
    {
        QFETCH(qint64, n);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        {
            auto store = ProjectStore::create(dir);
            QVERIFY(store.ok());
            ProjectStore &s = **store;
            QVERIFY(s.exec(QStringLiteral("INSERT INTO sources(id, format, path, added_at) VALUES(1, 'html', '/c', 'now')")).ok());
            QVERIFY(s.exec(QStringLiteral("INSERT INTO documents(id, source_id, doc_key) VALUES(1, 1, 'd')")).ok());
            std::mt19937_64 rng(5);
            std::vector<double> cdf;
            double sum = 0;
            for (int i = 1; i <= 50000; ++i)
                cdf.push_back(sum += 1.0 / i);
            Transaction tx(s);
            auto image = s.prepare(QStringLiteral("INSERT INTO images(id, image_key) VALUES(?, ?)"));
            auto ref = s.prepare(QStringLiteral("INSERT INTO image_refs(image_id, document_id, position, alt) VALUES(?, 1, ?, ?)"));
            QVERIFY(image.ok() && ref.ok());
            for (qint64 i = 1; i <= n; ++i) {
                QStringList words;
                const int count = 40 + int(rng() % 41);
                for (int w = 0; w < count; ++w) {
                    const double u = std::uniform_real_distribution<double>(0, sum)(rng);
                    words << QStringLiteral("w%1").arg(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
                }
                QVERIFY(s.execPrepared(*image, {i, QStringLiteral("k%1").arg(i)}).ok());
                QVERIFY(s.execPrepared(*ref, {i, i, words.join(QLatin1Char(' '))}).ok());
            }
            QVERIFY(tx.commit().ok());
            const test::ClusteredData data = test::makeClusteredData(n, 1000, 64, 1.0f, 11);
            QVector<qint64> ids;
            for (qint64 i = 1; i <= n; ++i)
                ids << i;
            auto emb = EmbeddingStore::open(EmbeddingStore::projectDir(s), QStringLiteral("images"), QStringLiteral("bench"), 64);
            QVERIFY(emb.ok());
            QVERIFY((*emb)->put(ids, data.points).ok());
            QVERIFY((*emb)->flush().ok());
        }
        // One `realsyn search` after argument parsing: open, load, query.
        const auto searchOnce = [&dir](int part, bool *fromCache) -> double {
            QElapsedTimer t;
            t.start();
            auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
            auto recipe = store ? Recipe::load(**store) : Result<Recipe>(makeError(ErrorCode::NotFound, QString()));
            if (!recipe)
                return -1;
            JobContext ctx;
            ImageSearch::LoadInfo info;
            auto search = ImageSearch::load(**store, *recipe, ctx, part, &info);
            if (!search)
                return -1;
            auto hits = part == ImageSearch::TextPart ? search->text(QStringLiteral("w1234 w77"), 20) : search->similar(42, 20);
            if (!hits || hits->empty())
                return -1;
            *fromCache = part == ImageSearch::TextPart ? info.textFromCache : info.denseFromCache;
            return t.nsecsElapsed() / 1e9;
        };
        bool c1 = true, c2 = false, c3 = false, d1 = true, d2 = false, d3 = false;
        const double text1 = searchOnce(ImageSearch::TextPart, &c1), text2 = searchOnce(ImageSearch::TextPart, &c2),
                     text3 = searchOnce(ImageSearch::TextPart, &c3);
        const double like1 = searchOnce(ImageSearch::DensePart, &d1), like2 = searchOnce(ImageSearch::DensePart, &d2),
                     like3 = searchOnce(ImageSearch::DensePart, &d3);
        QVERIFY(text1 > 0 && text2 > 0 && text3 > 0 && like1 > 0 && like2 > 0 && like3 > 0);
        QVERIFY(!c1 && c2 && c3 && !d1 && d2 && d3);
        qInfo("search over %lld images (open, load, one query): text first %.2f s, then %.2f s and %.2f s;"
              " more like this first %.2f s, then %.2f s and %.2f s", n, text1, text2, text3, like1, like2, like3);
    }
};

QTEST_GUILESS_MAIN(BenchSearchCache)
#include "bench_searchcache.moc"
