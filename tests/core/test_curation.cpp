// Curator decisions in batches (all or nothing) and their read-back for
// undo; field-filter facets; saved views (a parser: malformed specs are
// refused with the key named, damaged stored entries are named, not
// applied); the threshold panel's presentation metadata names real settings.

#include "core/store/curation.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/samplequery.h"
#include "core/store/savedviews.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;

class TestCuration : public QObject {
    Q_OBJECT

    // A project with images 1..n (rows only: nothing here reads pixels).
    static std::unique_ptr<ProjectStore> project(const QTemporaryDir &tmp, int n)
    {
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        if (!store)
            return nullptr;
        for (int i = 1; i <= n; ++i)
            if (!(*store)->exec(QStringLiteral("INSERT INTO images(id, image_key, path) VALUES(?, ?, ?)"),
                                {i, QStringLiteral("k%1").arg(i), QStringLiteral("/x/%1.png").arg(i)}))
                return nullptr;
        return std::move(store.value());
    }

private Q_SLOTS:
    void batchIsAllOrNothing()
    {
        QTemporaryDir tmp;
        auto store = project(tmp, 5);
        QVERIFY(store);
        QVERIFY(setCuratorDecisions(*store, {{1, CuratorDecision::Reject}, {2, CuratorDecision::Reject}, {3, CuratorDecision::Accept}}));
        auto d = curatorDecisions(*store, {1, 2, 3, 4});
        QVERIFY(d);
        QCOMPARE(d->value(1), CuratorDecision::Reject);
        QCOMPARE(d->value(2), CuratorDecision::Reject);
        QCOMPARE(d->value(3), CuratorDecision::Accept);
        QCOMPARE(d->value(4), CuratorDecision::Clear);

        // An unknown id fails the batch and changes nothing.
        const Status s = setCuratorDecisions(*store, {{4, CuratorDecision::Accept}, {99, CuratorDecision::Accept}});
        QVERIFY(!s);
        QCOMPARE(s.error().code, ErrorCode::NotFound);
        QCOMPARE(curatorDecisions(*store, {4})->value(4), CuratorDecision::Clear);

        // Clearing drops the row when nothing else is in it; an edit keeps it.
        QVERIFY(setEditedSyntheticText(*store, 1, QStringLiteral("  mine ")));
        QCOMPARE(editedSyntheticText(*store, 1).value(), QStringLiteral("mine"));
        QCOMPARE(editedSyntheticText(*store, 2).value(), QString());
        QVERIFY(setCuratorDecisions(*store, {{1, CuratorDecision::Clear}, {2, CuratorDecision::Clear}}));
        QCOMPARE(store->scalar(QStringLiteral("SELECT count(*) FROM decisions"))->toInt(), 2); // #1 (edit) and #3
        QCOMPARE(curatorDecisionText(curatorDecisionFromText(QStringLiteral("reject"))), QStringLiteral("reject"));
        QCOMPARE(curatorDecisionFromText(QStringLiteral("bogus")), CuratorDecision::Clear);
    }

    void facetsCountWhatTheyFilter()
    {
        QTemporaryDir tmp;
        auto store = project(tmp, 6);
        QVERIFY(store);
        QVERIFY(setCuratorDecisions(*store, {{2, CuratorDecision::Accept}, {5, CuratorDecision::Reject}, {6, CuratorDecision::Reject}}));
        const auto finding = [&](int image, const char *kind, const char *label) {
            return bool(store->exec(QStringLiteral("INSERT INTO expert_findings(image_id, expert, kind, level, label, confidence, input_hash)"
                                                   " VALUES(?, 'x', ?, 'line', ?, 1, 'h')"),
                                    {image, QString::fromLatin1(kind), QString::fromLatin1(label)}));
        };
        QVERIFY(finding(1, "ocr", "STOP"));
        QVERIFY(finding(1, "ocr", "sign")); // one image, counted once
        QVERIFY(finding(3, "ocr", "  "));   // blank OCR is no text
        QVERIFY(finding(4, "face", "face"));
        QCOMPARE(imagesWith(*store, ImageFacet::CuratorAccepted).value(), std::vector<qint64>({2}));
        QCOMPARE(imagesWith(*store, ImageFacet::CuratorRejected).value(), std::vector<qint64>({5, 6}));
        QCOMPARE(imagesWith(*store, ImageFacet::HasOcrText).value(), std::vector<qint64>({1}));
        QCOMPARE(imagesWith(*store, ImageFacet::HasFaces).value(), std::vector<qint64>({4}));
        QCOMPARE(facetCounts(*store).value(), std::vector<qint64>({1, 2, 1, 1}));
    }

    void viewSpecs_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error"); // empty: valid
        QTest::newRow("empty object") << QByteArray("{}") << QString();
        QTest::newRow("full") << QByteArray(R"({"filter":"kept","reason":"too_small","sort":"similarity","order":"desc","search":"cat",)"
                                            R"("cluster":3,"decision":"undecided","feature":"faces","score":"pixels","min":10,"max":2e6})")
                              << QString();
        QTest::newRow("unknown keys ignored") << QByteArray(R"({"later":1})") << QString();
        QTest::newRow("not json") << QByteArray("{filter: kept") << QStringLiteral("not JSON");
        QTest::newRow("empty") << QByteArray("") << QStringLiteral("not JSON");
        QTest::newRow("array") << QByteArray("[1]") << QStringLiteral("JSON object");
        QTest::newRow("bad filter") << QByteArray(R"({"filter":"some"})") << QStringLiteral("filter");
        QTest::newRow("filter not text") << QByteArray(R"({"filter":1})") << QStringLiteral("filter");
        QTest::newRow("bad sort") << QByteArray(R"({"sort":"colour"})") << QStringLiteral("sort");
        QTest::newRow("cluster fraction") << QByteArray(R"({"cluster":1.5})") << QStringLiteral("cluster");
        QTest::newRow("cluster below -1") << QByteArray(R"({"cluster":-7})") << QStringLiteral("cluster");
        QTest::newRow("cluster text") << QByteArray(R"({"cluster":"3"})") << QStringLiteral("cluster");
        QTest::newRow("search not text") << QByteArray(R"({"search":[]})") << QStringLiteral("search");
        QTest::newRow("min text") << QByteArray(R"({"score":"pixels","min":"1"})") << QStringLiteral("min");
        QTest::newRow("range without score") << QByteArray(R"({"max":3})") << QStringLiteral("score");
        QTest::newRow("score id") << QByteArray(R"({"score":"id"})") << QStringLiteral("score");
        QTest::newRow("deep nesting") << QByteArray(5000, '[') << QStringLiteral("not JSON");
    }

    void viewSpecs()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        auto spec = parseViewSpec(json);
        if (error.isEmpty()) {
            QVERIFY2(spec, qPrintable(spec ? QString() : spec.error().toString()));
        } else {
            QVERIFY(!spec);
            QVERIFY2(spec.error().toString().contains(error), qPrintable(spec.error().toString()));
        }
    }

    void viewsAreStoredListedAndDeleted()
    {
        QTemporaryDir tmp;
        auto store = project(tmp, 1);
        QVERIFY(store);
        const QJsonObject spec{{QStringLiteral("filter"), QStringLiteral("rejected")}, {QStringLiteral("search"), QStringLiteral("50% off_")}};
        QVERIFY(saveView(*store, QStringLiteral(" rejects 50%_ "), spec));
        QVERIFY(saveView(*store, QStringLiteral("all"), QJsonObject{}));
        QVERIFY(!saveView(*store, QStringLiteral("  "), spec));
        QVERIFY(!saveView(*store, QString(81, QLatin1Char('x')), spec));
        QVERIFY(!saveView(*store, QStringLiteral("bad"), QJsonObject{{QStringLiteral("order"), QStringLiteral("up")}}));
        // A damaged entry (hand-edited) is named, not listed.
        QVERIFY(store->setMeta(QStringLiteral("view:broken"), QStringLiteral("{\"filter\":")));
        QStringList damaged;
        auto views = savedViews(*store, &damaged);
        QVERIFY(views);
        QCOMPARE(views->size(), 2);
        QCOMPARE(views->at(0).name, QStringLiteral("all"));
        QCOMPARE(views->at(1).name, QStringLiteral("rejects 50%_"));
        QCOMPARE(views->at(1).spec, spec);
        QCOMPARE(damaged.size(), 1);
        QVERIFY(damaged.first().startsWith(QStringLiteral("broken: ")));
        // Replacing keeps one entry; deleting removes it.
        QVERIFY(saveView(*store, QStringLiteral("all"), QJsonObject{{QStringLiteral("filter"), QStringLiteral("kept")}}));
        QCOMPARE(savedViews(*store)->size(), 2);
        QVERIFY(deleteView(*store, QStringLiteral("all")));
        QCOMPARE(savedViews(*store)->size(), 1);
        // Other meta entries are not views.
        QVERIFY(store->meta(QStringLiteral("schema_version")).isEmpty() || savedViews(*store)->size() == 1);
    }

    // The threshold panel is generated from these: each must be a real,
    // shown setting with a label.
    void panelSettingsHaveLabels()
    {
        int shown = 0;
        QStringList panels;
        for (const SettingDef &d : Recipe::definitions()) {
            if (d.panel.isEmpty())
                continue;
            ++shown;
            QVERIFY2(!d.label.isEmpty(), qPrintable(d.key));
            QVERIFY2(QStringList({QStringLiteral("images"), QStringLiteral("sentences"), QStringLiteral("retrieval"), QStringLiteral("sample")})
                         .contains(d.panel),
                     qPrintable(d.key));
            QVERIFY(d.step >= 0);
            panels << d.panel;
        }
        QVERIFY(shown >= 20);
        for (const char *key : {"retrieve.weight_visual", "retrieve.weight_ocr", "retrieve.weight_context", "retrieve.weight_lexical"})
            QCOMPARE(Recipe::find(QString::fromLatin1(key))->panel, QStringLiteral("retrieval"));
    }
};

QTEST_GUILESS_MAIN(TestCuration)
#include "test_curation.moc"
