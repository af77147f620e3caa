#include "core/index/bm25index.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace rs;

namespace {

// Reference BM25 computed straight from the definition in bm25index.h.
double referenceScore(const QStringList &docs, const QString &query, int doc, double k1 = 1.2, double b = 0.75)
{
    QVector<QStringList> tokens;
    double total = 0;
    for (const QString &d : docs) {
        tokens << Bm25Index::tokenize(d);
        total += tokens.back().size();
    }
    const double avgdl = total / docs.size();
    QHash<QString, int> qtf;
    for (const QString &t : Bm25Index::tokenize(query))
        ++qtf[t];
    double score = 0;
    for (auto it = qtf.cbegin(); it != qtf.cend(); ++it) {
        int df = 0;
        for (const QStringList &t : tokens)
            df += t.contains(it.key()) ? 1 : 0;
        if (df == 0)
            continue;
        const double idf = std::log(1 + (docs.size() - df + 0.5) / (df + 0.5));
        const double tf = tokens[doc].count(it.key());
        const double w = tf * (k1 + 1) / (tf + k1 * (1 - b + b * tokens[doc].size() / avgdl));
        const double q = it.value() * 2.5 / (it.value() + 1.5);
        score += idf * w * q;
    }
    return score;
}

} // namespace

class TestBm25Index : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tokenize_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("tokens");
        QTest::newRow("stop words and case") << QStringLiteral("The Layers Dialog of the image")
                                             << QStringList{QStringLiteral("layer"), QStringLiteral("dialog"), QStringLiteral("image")};
        QTest::newRow("punctuation splits") << QStringLiteral("Filters→Blur, Gaussian-Blur")
                                            << QStringList{QStringLiteral("filter"), QStringLiteral("blur"), QStringLiteral("gaussian"), QStringLiteral("blur")};
        QTest::newRow("possessive and one letter") << QStringLiteral("GIMP's x tool")
                                                   << QStringList{QStringLiteral("gimp"), QStringLiteral("tool")};
        QTest::newRow("ss and us kept") << QStringLiteral("glass menus status")
                                        << QStringList{QStringLiteral("glass"), QStringLiteral("menus"), QStringLiteral("status")};
        QTest::newRow("only stop words") << QStringLiteral("it is what it is") << QStringList{};
        QTest::newRow("digits") << QStringLiteral("GIMP 2.10 in 16 bits") << QStringList{QStringLiteral("gimp"), QStringLiteral("10"), QStringLiteral("16"), QStringLiteral("bit")};
    }
    void tokenize()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, tokens);
        QCOMPARE(Bm25Index::tokenize(text), tokens);
    }

    void scoresMatchTheDefinition()
    {
        const QStringList docs{QStringLiteral("The Brushes dialog lists the available brushes."),
                               QStringLiteral("Use the Layers panel to reorder layers."),
                               QStringLiteral("Brushes, patterns and gradients are resources."),
                               QStringLiteral("A very long sentence about many different things such as colors, curves, levels and brushes in the end."),
                               QString()};
        const Bm25Index index = Bm25Index::build(docs);
        QCOMPARE(index.size(), qint64(docs.size()));
        const QString query = QStringLiteral("brushes dialog brushes");
        const std::vector<Hit> hits = index.search(query, 10);
        QVERIFY(!hits.empty());
        for (size_t i = 0; i < hits.size(); ++i) {
            QVERIFY2(std::abs(hits[i].score - referenceScore(docs, query, int(hits[i].item))) < 1e-4,
                     qPrintable(QStringLiteral("doc %1").arg(hits[i].item)));
            if (i > 0)
                QVERIFY(hits[i - 1].score >= hits[i].score);
        }
        // The document naming both terms wins; documents without a query term are never returned.
        QCOMPARE(hits.front().item, qint64(0));
        for (const Hit &h : hits)
            QVERIFY(h.item != 1 && h.item != 4);
    }

    void rareTermOutranksCommonTerm()
    {
        QStringList docs;
        for (int i = 0; i < 50; ++i)
            docs << QStringLiteral("layer number %1 of the image").arg(i);
        docs << QStringLiteral("the unsharp mask sharpens the image");
        const Bm25Index index = Bm25Index::build(docs);
        const auto hits = index.search(QStringLiteral("image unsharp"), 3);
        QCOMPARE(hits.size(), size_t(3));
        QCOMPARE(hits.front().item, qint64(50));
    }

    void queryTermsAreCappedRarestFirst()
    {
        QStringList docs;
        for (int i = 0; i < 20; ++i)
            docs << QStringLiteral("common filler%1").arg(i);
        docs << QStringLiteral("rare alpha beta");
        Bm25Options opts;
        opts.maxQueryTerms = 2;
        const Bm25Index index = Bm25Index::build(docs, opts);
        const QStringList terms = index.queryTerms(QStringLiteral("common alpha beta unknown"));
        QCOMPARE(terms.size(), 2);
        QVERIFY(!terms.contains(QStringLiteral("common")));
        QVERIFY(!terms.contains(QStringLiteral("unknown")));
        QVERIFY(index.search(QStringLiteral("the of and"), 5).empty());
        QVERIFY(index.search(QString(), 5).empty());
        QVERIFY(index.search(QStringLiteral("alpha"), 0).empty());
    }

    void postingBudgetDropsTheMostFrequentTerms()
    {
        QStringList docs;
        for (int i = 0; i < 100; ++i)
            docs << QStringLiteral("common filler%1").arg(i);
        docs << QStringLiteral("common rare");
        Bm25Options opts;
        opts.maxPostings = 50; // "rare" (1) fits, "common" (101) does not
        const Bm25Index index = Bm25Index::build(docs, opts);
        QCOMPARE(index.queryTerms(QStringLiteral("common rare")), QStringList{QStringLiteral("rare")});
        // The rarest term is kept even over the budget.
        QCOMPARE(index.queryTerms(QStringLiteral("common")), QStringList{QStringLiteral("common")});
        QCOMPARE(index.search(QStringLiteral("common rare"), 5).size(), size_t(1));
    }

    void batchEqualsSingleAndIsDeterministic()
    {
        std::mt19937 rng(7);
        const QStringList vocab{QStringLiteral("brush"), QStringLiteral("layer"), QStringLiteral("mask"), QStringLiteral("curve"),
                                QStringLiteral("gradient"), QStringLiteral("canvas"), QStringLiteral("selection"), QStringLiteral("path")};
        QStringList docs;
        for (int i = 0; i < 2000; ++i) {
            QStringList w;
            for (int j = 0; j < 3 + int(rng() % 10); ++j)
                w << vocab[int(rng() % vocab.size())];
            docs << w.join(QLatin1Char(' '));
        }
        const Bm25Index index = Bm25Index::build(docs);
        QStringList queries;
        for (int i = 0; i < 64; ++i)
            queries << vocab[i % vocab.size()] + QLatin1Char(' ') + vocab[(i * 3 + 1) % vocab.size()];
        const HitLists batch = index.searchBatch(queries, 7);
        QCOMPARE(batch.size(), size_t(queries.size()));
        for (int i = 0; i < queries.size(); ++i) {
            // A result holds k hits, not room for every document the query
            // touched (here most of the 2,000): retrieve keeps four lists per
            // image, and that capacity once took 2.5 GB at 3.9k images.
            QVERIFY2(batch[size_t(i)].capacity() <= 7, qPrintable(QString::number(batch[size_t(i)].capacity())));
            const auto single = index.search(queries[i], 7);
            QCOMPARE(batch[size_t(i)].size(), single.size());
            for (size_t j = 0; j < single.size(); ++j) {
                QCOMPARE(batch[size_t(i)][j].item, single[j].item);
                QCOMPARE(batch[size_t(i)][j].score, single[j].score);
                if (j > 0) // ties ordered by lower row
                    QVERIFY(single[j - 1].score > single[j].score
                            || (single[j - 1].score == single[j].score && single[j - 1].item < single[j].item));
            }
        }
    }

    void emptyIndex()
    {
        const Bm25Index index = Bm25Index::build({});
        QCOMPARE(index.size(), qint64(0));
        QVERIFY(index.search(QStringLiteral("anything"), 3).empty());
    }
};

QTEST_GUILESS_MAIN(TestBm25Index)
#include "test_bm25index.moc"
