// Real-data check of maximumWeightAssignment: MMC4 matched each document's
// images to its sentences with a one-to-one assignment maximising total CLIP
// similarity, and a per-image argmax reproduces `matched_text_index` far less
// often than a proper solver does.
// The published matches are not all exactly that, though: in this sample 4
// documents reuse a sentence for two images, and some one-to-one matchings
// total less than the optimum over the published matrix (the matching was
// presumably made before some images were dropped). So beyond the overall
// rates we assert what must hold exactly: our total is never below MMC4's
// one-to-one total, and where MMC4's matching is optimal we reproduce it
// (up to exact ties between duplicate sentences).

#include "core/index/linearassignment.h"
#include "tests/support/testdata.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <set>

using namespace rs;

class TestMmc4Assignment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void assignmentReproducesMatchedTextIndex()
    {
        RS_REQUIRE_SHARED_FILE(path, "mmc4_sample_107docs.jsonl",
                               "linear assignment against MMC4's matched_text_index");
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));

        int documents = 0, images = 0, argmaxHits = 0, assignmentHits = 0;
        int oneToOneDocs = 0, optimalDocs = 0, optimalImages = 0, optimalHits = 0, optimalTies = 0;
        int lineNo = 0;
        while (!file.atEnd()) {
            const QByteArray line = file.readLine().trimmed();
            ++lineNo;
            if (line.isEmpty())
                continue;
            QJsonParseError err;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
            QVERIFY2(doc.isObject(), qPrintable(QStringLiteral("line %1: %2").arg(lineNo).arg(err.errorString())));
            const QJsonObject o = doc.object();
            const QJsonArray info = o.value(QStringLiteral("image_info")).toArray();
            const QJsonArray sim = o.value(QStringLiteral("similarity_matrix")).toArray();
            const int sentences = int(o.value(QStringLiteral("text_list")).toArray().size());
            QCOMPARE(sim.size(), info.size());
            if (info.isEmpty())
                continue;

            std::vector<std::vector<double>> score;
            for (const QJsonValue &rowValue : sim) {
                const QJsonArray row = rowValue.toArray();
                QCOMPARE(int(row.size()), sentences);
                std::vector<double> r;
                for (const QJsonValue &v : row)
                    r.push_back(v.toDouble());
                score.push_back(std::move(r));
            }
            const Result<std::vector<int>> assigned = maximumWeightAssignment(score);
            QVERIFY(assigned.ok());

            ++documents;
            std::vector<int> truthColumn;
            for (const QJsonValue &v : info)
                truthColumn.push_back(v.toObject().value(QStringLiteral("matched_text_index")).toInt(-2));
            const bool oneToOne = std::set<int>(truthColumn.begin(), truthColumn.end()).size() == truthColumn.size();
            bool theirsOptimal = false;
            if (oneToOne && truthColumn.size() <= size_t(sentences)) {
                double ours = 0, theirs = 0;
                for (size_t i = 0; i < score.size(); ++i) {
                    ours += score[i][size_t(assigned.value()[i])];
                    if (truthColumn[i] >= 0 && truthColumn[i] < sentences)
                        theirs += score[i][size_t(truthColumn[i])];
                }
                ++oneToOneDocs;
                QVERIFY2(ours >= theirs - 1e-9,
                         qPrintable(QStringLiteral("line %1: our total %2 < MMC4's %3").arg(lineNo).arg(ours).arg(theirs)));
                theirsOptimal = ours - theirs < 1e-9;
                optimalDocs += int(theirsOptimal);
            }
            for (qsizetype i = 0; i < info.size(); ++i) {
                const int truth = info.at(i).toObject().value(QStringLiteral("matched_text_index")).toInt(-2);
                QVERIFY(truth >= 0 && truth < sentences);
                const std::vector<double> &r = score[size_t(i)];
                const int argmax = int(std::max_element(r.begin(), r.end()) - r.begin());
                ++images;
                argmaxHits += int(argmax == truth);
                assignmentHits += int(assigned.value()[size_t(i)] == truth);
                if (theirsOptimal) {
                    ++optimalImages;
                    optimalHits += int(assigned.value()[size_t(i)] == truth);
                    // Where both matchings are optimal, a difference can only be a
                    // tie: duplicate sentences scoring exactly the same.
                    if (assigned.value()[size_t(i)] != truth) {
                        QCOMPARE(score[size_t(i)][size_t(assigned.value()[size_t(i)])], score[size_t(i)][size_t(truth)]);
                        ++optimalTies;
                    }
                }
            }
        }
        QVERIFY(documents > 100);
        const double argmaxRate = double(argmaxHits) / images;
        const double assignmentRate = double(assignmentHits) / images;
        qInfo("MMC4 sample: %d documents, %d images; matched_text_index reproduced by argmax %d (%.4f), "
              "by maximumWeightAssignment %d (%.4f)",
              documents, images, argmaxHits, argmaxRate, assignmentHits, assignmentRate);
        qInfo("one-to-one MMC4 matchings: %d documents, %d of them optimal over the published matrix; "
              "on those %d images we reproduce %d, and pick an equal-scoring duplicate sentence for %d",
              oneToOneDocs, optimalDocs, optimalImages, optimalHits, optimalTies);
        // Measured: argmax 272/417 (0.652), assignment 351/417 (0.842).
        QVERIFY(assignmentRate >= 0.80);
        QVERIFY(argmaxRate <= assignmentRate - 0.15);
        QVERIFY(optimalDocs >= documents / 2);
        QCOMPARE(optimalHits + optimalTies, optimalImages);
    }
};

QTEST_GUILESS_MAIN(TestMmc4Assignment)
#include "test_mmc4assignment.moc"
