// Typed settings (core/store/settingfields.h): every settings struct binds
// keys that exist in the SettingDef table with the right type, reads the
// recipe's values, and the stage fingerprints derived from the structs hash
// exactly the keys the old prefix lists did (so no project goes stale on
// upgrade).

#include "core/embed/embedstage.h"
#include "core/export/exporter.h"
#include "core/extract/extractstage.h"
#include "core/generate/generatestage.h"
#include "core/generate/groundstage.h"
#include "core/index/retrievestage.h"
#include "core/ingest/ingestor.h"
#include "core/pipeline/livedecisions.h"
#include "core/sample/samplestage.h"
#include "core/store/globalsettings.h"
#include "core/store/settingfields.h"

#include <QTest>

using namespace rs;

namespace {

// A struct with a typo'd key and a type mismatch: the checker must see both.
struct BrokenSettings {
    qint64 minSide = 0;
    bool maxAspect = false;
    template <class F>
    void fields(F &&f)
    {
        f(minSide, "extract.min_sides");
        f(maxAspect, "extract.max_aspect");
    }
};

} // namespace

class TestSettingFields : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyBindingMatchesTheTable()
    {
        QCOMPARE(settingFieldErrors<EmbedSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<RetrieveSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<GroundSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<GenerateSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<IngestOptions>(), QStringList());
        QCOMPARE(settingFieldErrors<ExportSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<ImageFilterSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<SentenceFilterSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<SampleSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<SampleClusterSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<ExtractSettings>(), QStringList());
        QCOMPARE(settingFieldErrors<GlobalSettings>(), QStringList());
        const QStringList broken = settingFieldErrors<BrokenSettings>();
        QCOMPARE(broken.size(), 2);
        QVERIFY(broken[0].startsWith(QStringLiteral("extract.min_sides: not in")));
        QVERIFY(broken[1].startsWith(QStringLiteral("extract.max_aspect: read as another type")));
    }

    void readsTypedValues()
    {
        Recipe r;
        QVERIFY(r.set(QStringLiteral("extract.min_side"), QStringLiteral("150")));
        QVERIFY(r.set(QStringLiteral("extract.max_aspect"), QStringLiteral("2.5")));
        QVERIFY(r.set(QStringLiteral("extract.near_duplicates"), QStringLiteral("off")));
        QVERIFY(r.set(QStringLiteral("sample.method"), QStringLiteral("metaclip")));
        QVERIFY(r.set(QStringLiteral("sample.band"), QStringLiteral("auto")));
        QVERIFY(r.set(QStringLiteral("seed"), QStringLiteral("4000000000")));
        QVERIFY(r.set(QStringLiteral("threads"), QStringLiteral("3")));
        QVERIFY(r.set(QStringLiteral("extract.max_file_bytes"), QStringLiteral("2048")));
        const ImageFilterSettings im = ImageFilterSettings::fromRecipe(r);
        QCOMPARE(im.minSide, 150);
        QCOMPARE(im.maxAspect, 2.5);
        QCOMPARE(im.nearDuplicates, false);
        QCOMPARE(im.phashDistance, 3); // the table's default
        const SampleSettings sa = SampleSettings::fromRecipe(r, /*clipFamily=*/false);
        QVERIFY(sa.metaclip);
        QCOMPARE(sa.band, QStringLiteral("percentile")); // auto resolved by encoder family
        QCOMPARE(sa.seed, quint64(4000000000ull));
        QCOMPARE(SampleSettings::fromRecipe(r, true).band, QStringLiteral("absolute"));
        const GlobalSettings g = GlobalSettings::fromRecipe(r);
        QCOMPARE(g.threads, 3);
        ExtractSettings ex;
        readSettings(r, ex);
        QCOMPARE(ex.maxFileBytes, 2048);
        QVERIFY(r.set(QStringLiteral("ingest.html_max_depth"), QStringLiteral("64")));
        QVERIFY(r.set(QStringLiteral("ingest.max_expansion"), QStringLiteral("7.5")));
        IngestOptions in;
        applyIngestRecipe(in, r);
        QCOMPARE(in.html.maxDepth, 64);
        QCOMPARE(in.wds.maxExpansion, 7.5);
        QCOMPARE(in.html.maxNodes, qint64(500000)); // the table's default
        QVERIFY(r.set(QStringLiteral("export.jpeg_quality"), QStringLiteral("80")));
        QCOMPARE(ExportSettings::fromRecipe(r).jpegQuality, 80);
        QVERIFY(r.set(QStringLiteral("generate.deadline_s"), QStringLiteral("90")));
        QCOMPARE(GenerateSettings::fromRecipe(r).deadlineSeconds, qint64(90));
        QCOMPARE(ex.images.minSide, 150);
        QCOMPARE(settingKeyOf(&ImageFilterSettings::minSide), QStringLiteral("extract.min_side"));
        QCOMPARE(settingKeyOf(&SampleSettings::cap), QStringLiteral("sample.cap"));
    }

    // The derived keys are the ones the hand-kept prefixes named: same
    // fingerprint for any recipe, and every setting of the stage's prefix read.
    void fingerprintsAreThoseOfThePrefixes_data()
    {
        QTest::addColumn<QString>("stage");
        QTest::addColumn<QStringList>("prefixes");
        QTest::newRow("extract") << "extract" << QStringList{QStringLiteral("extract."), QStringLiteral("seed")};
        QTest::newRow("sample") << "sample" << QStringList{QStringLiteral("sample."), QStringLiteral("seed")};
        QTest::newRow("ground") << "ground"
                                << QStringList{QStringLiteral("experts.ocr"), QStringLiteral("experts.faces"), QStringLiteral("experts.quality"),
                                               QStringLiteral("seed")};
        QTest::newRow("embed") << "embed"
                               << QStringList{QStringLiteral("embed."), QStringLiteral("eval.holdout"), QStringLiteral("eval.validation"),
                                              QStringLiteral("seed")};
        QTest::newRow("retrieve") << "retrieve" << QStringList{QStringLiteral("retrieve."), QStringLiteral("seed")};
        QTest::newRow("generate") << "generate"
                                  << QStringList{QStringLiteral("generate."), QStringLiteral("experts.tags"), QStringLiteral("experts.tag_precision"),
                                                 QStringLiteral("seed")};
    }
    void fingerprintsAreThoseOfThePrefixes()
    {
        QFETCH(QString, stage);
        QFETCH(QStringList, prefixes);
        std::unique_ptr<IStage> impl;
        if (stage == QLatin1String("extract"))
            impl = std::make_unique<ExtractStage>();
        else if (stage == QLatin1String("sample"))
            impl = std::make_unique<SampleStage>();
        else if (stage == QLatin1String("ground"))
            impl = std::make_unique<GroundStage>();
        else if (stage == QLatin1String("embed"))
            impl = std::make_unique<EmbedStage>();
        else if (stage == QLatin1String("generate"))
            impl = std::make_unique<GenerateStage>();
        else
            impl = std::make_unique<RetrieveStage>();
        QStringList keys = impl->settingKeys();
        keys << settingKeyOf(&GlobalSettings::seed); // Pipeline adds it to every stage
        for (const SettingDef &d : Recipe::definitions())
            for (const QString &prefix : prefixes)
                if (d.key.startsWith(prefix))
                    QVERIFY2(keys.contains(d.key), qPrintable(d.key + QStringLiteral(" is not read by ") + stage));
        Recipe r;
        QCOMPARE(r.fingerprint(keys), r.fingerprint(prefixes));
        // Each of the stage's settings changes its fingerprint.
        for (const SettingDef &d : Recipe::definitions()) {
            if (!keys.contains(d.key))
                continue;
            Recipe changed;
            const QString other = d.kind == SettingDef::Kind::Bool ? (d.defaultValue == QLatin1String("true") ? QStringLiteral("false") : QStringLiteral("true"))
                : d.kind == SettingDef::Kind::Choice                 ? d.choices.value(d.choices.indexOf(d.defaultValue) == 0 ? 1 : 0)
                                                                     : QString::number(d.min + (d.max > d.min + 1 ? 1 : (d.max - d.min) / 2));
            const QString value = other != d.defaultValue ? other : d.kind == SettingDef::Kind::String ? QStringLiteral("x") : QString::number(d.max);
            QVERIFY2(changed.set(d.key, value), qPrintable(d.key));
            QVERIFY2(changed.fingerprint(keys) != r.fingerprint(keys), qPrintable(d.key));
            QCOMPARE(changed.fingerprint(keys), changed.fingerprint(prefixes));
        }
    }

    void liveKeysKeepTheirOrderAndTables()
    {
        const QStringList live = LiveDecisions::liveKeys();
        QCOMPARE(live.first(), QStringLiteral("extract.min_side"));
        QVERIFY(!live.contains(QStringLiteral("extract.phash_distance")));
        QVERIFY(!live.contains(QStringLiteral("extract.max_brisque")));
        QVERIFY(!live.contains(QStringLiteral("seed")));
        QCOMPARE(live.size(), 21);
        QCOMPARE(LiveDecisions::tableOf(QStringLiteral("extract.max_pixels")), LiveDecisions::Table::Images);
        QCOMPARE(LiveDecisions::tableOf(QStringLiteral("extract.dedup_sentences")), LiveDecisions::Table::Sentences);
        QCOMPARE(LiveDecisions::tableOf(QStringLiteral("sample.t")), LiveDecisions::Table::Sample);
        QCOMPARE(LiveDecisions::tableOf(QStringLiteral("sample.clusters")), LiveDecisions::Table::None);
    }
};

QTEST_GUILESS_MAIN(TestSettingFields)
#include "test_settingfields.moc"
