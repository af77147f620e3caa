// Slider-to-groups time of the duplicate review (core/pipeline/duplicatereview)
// on a real project: each step of a scripted drag of extract.phash_distance
// and of embed.dedup_threshold is one decide(), the call the studio's
// Duplicates dock makes per slider value. Set REALSYN_BENCH_PROJECT to a run
// project (the demo: packaging/dev.sh demo); skipped without one.

#include "core/pipeline/duplicatereview.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QElapsedTimer>
#include <QtTest>

#include <algorithm>
#include <tuple>

using namespace rs;

class BenchDuplicateReview : public QObject {
    Q_OBJECT

    static double median(std::vector<double> v)
    {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0 : v[v.size() / 2];
    }

private Q_SLOTS:
    void sliders()
    {
        const QString dir = qEnvironmentVariable("REALSYN_BENCH_PROJECT");
        if (dir.isEmpty())
            QSKIP("set REALSYN_BENCH_PROJECT to a project that has run embed");
        auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
        auto recipe = Recipe::load(**store);
        QVERIFY(recipe);
        QElapsedTimer load;
        load.start();
        auto review = DuplicateReview::load(**store, *recipe, DuplicateReview::Vectors::Load);
        QVERIFY(review);
        const double loadMs = load.nsecsElapsed() / 1e6;
        const QString phash = QStringLiteral("extract.phash_distance"), embed = QStringLiteral("embed.dedup_threshold");
        const QStringList bits = {QStringLiteral("4"), QStringLiteral("5"), QStringLiteral("6"), QStringLiteral("2"),
                                  QStringLiteral("1"), QStringLiteral("0"), QStringLiteral("3")};
        const QStringList similarities = {QStringLiteral("0.965"), QStringLiteral("0.96"), QStringLiteral("0.95"),
                                          QStringLiteral("0.93"), QStringLiteral("0.90"), QStringLiteral("0.97")};
        std::vector<double> phashMs, embedMs;
        (void)review->decide(*recipe); // the first decide searches the survivors' vectors once
        for (int round = 0; round < 5; ++round) {
            for (const auto &[key, values, times] : {std::tuple{phash, bits, &phashMs}, std::tuple{embed, similarities, &embedMs}}) {
                Recipe r = *recipe;
                for (const QString &v : values) {
                    QVERIFY(r.set(key, v));
                    times->push_back(review->decide(r).elapsedMs);
                }
            }
        }
        qInfo("duplicate review on %s: load %.1f ms; per slider step, median of %zu: phash %.1f ms, embedding %.1f ms",
              qPrintable(dir), loadMs, phashMs.size(), median(phashMs), median(embedMs));
    }
};

QTEST_GUILESS_MAIN(BenchDuplicateReview)
#include "bench_duplicatereview.moc"
