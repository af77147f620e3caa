// Shard assignment and shard manifests (issue 14): stable, balanced,
// minimal movement when shards are added, and a manifest that a merge can
// trust only when it matches the store it names.

#include "core/cluster/sharding.h"
#include "core/cluster/shardjobs.h"
#include "core/extract/extractstage.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/util/jobcontext.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

using namespace rs;

namespace {

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

ShardManifest sample()
{
    ShardManifest m;
    m.runId = QStringLiteral("20261202-111500-ab12");
    m.stage = QStringLiteral("ground");
    m.index = 2;
    m.count = 4;
    m.fingerprint = QStringLiteral("f00d");
    m.inputs = QStringLiteral("images.extract=abc;");
    m.items = 17;
    m.store = QStringLiteral("shard.sqlite");
    return m;
}

} // namespace

class TestSharding : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shardOfIsStableAndBalanced()
    {
        // Pinned: a shard must never move between releases for the same N,
        // or a resumed run would see other shards' items as its own.
        QCOMPARE(shardOf(QStringLiteral("html:index.html"), 1), 0);
        const int pinned = shardOf(QStringLiteral("html:index.html"), 16);
        QCOMPARE(shardOf(QStringLiteral("html:index.html"), 16), pinned);
        QCOMPARE(pinned, 15);
        QCOMPARE(shardOf(QStringLiteral("wds:00000-1a2b3c4d/000000042"), 8), 5);

        std::vector<int> counts(8, 0);
        const int n = 16000;
        for (int i = 0; i < n; ++i) {
            const int s = shardOf(QStringLiteral("doc-%1").arg(i), 8);
            QVERIFY(s >= 0 && s < 8);
            ++counts[size_t(s)];
        }
        for (int c : counts)
            QVERIFY2(c > n / 8 * 0.9 && c < n / 8 * 1.1, qPrintable(QString::number(c)));
    }

    // Going from N to N+1 shards moves only keys into the new shard, about
    // 1/(N+1) of them; nothing moves between the old shards.
    void addingAShardMovesLittle()
    {
        const int n = 12000;
        int moved = 0;
        for (int i = 0; i < n; ++i) {
            const QString key = QStringLiteral("key %1").arg(i);
            const int a = shardOf(key, 5), b = shardOf(key, 6);
            if (a != b) {
                QCOMPARE(b, 5);
                ++moved;
            }
        }
        QVERIFY2(moved > n / 6 * 0.85 && moved < n / 6 * 1.15, qPrintable(QString::number(moved)));
    }

    void shardSpecs_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::newRow("first") << "0/4" << true;
        QTest::newRow("last") << "3/4" << true;
        QTest::newRow("one") << "0/1" << true;
        QTest::newRow("spaces") << " 1/2 " << true;
        QTest::newRow("index too big") << "4/4" << false;
        QTest::newRow("zero shards") << "0/0" << false;
        QTest::newRow("negative") << "-1/4" << false;
        QTest::newRow("no slash") << "3" << false;
        QTest::newRow("text") << "a/b" << false;
        QTest::newRow("too many") << "0/200000" << false;
        QTest::newRow("empty") << "" << false;
    }
    void shardSpecs()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        const auto s = ShardSpec::parse(text);
        QCOMPARE(s.ok(), ok);
        if (ok)
            QCOMPARE(s->toString(), text.trimmed());
        else
            QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
    }

    // A shard made before the earlier verdicts or the encoder fit changed is
    // stale even though the recipe is the same: resume must rerun it and
    // merge must refuse it (it would fold vectors of another fit, or results
    // for images that are no longer kept).
    void staleInputsAreNotFinished()
    {
        QTemporaryDir tmp;
        auto created = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(created.ok());
        ProjectStore &store = **created;
        QVERIFY(store.exec(QStringLiteral("INSERT INTO images(id, image_key, path, probed, width, height, sha256, phash)"
                                          " VALUES(1, 'a', '/a.png', 1, 640, 480, 'h1', 1), (2, 'b', '/b.png', 1, 640, 480, 'h2', 987654321)")));
        const Recipe recipe;
        JobContext ctx;
        QVERIFY(ExtractStage::decideImages(store, recipe, ctx).ok());

        for (const QString &stage : {QStringLiteral("ground"), QStringLiteral("embed"), QStringLiteral("retrieve")}) {
            auto before = expectedShard(store, recipe, stage);
            QVERIFY(before.ok());
            ShardManifest m = sample();
            m.stage = stage;
            m.fingerprint = before->fingerprint;
            m.inputs = before->inputs;
            QVERIFY(before->whyStale(m).isEmpty());
            m.stage = QStringLiteral("extract");
            QVERIFY(before->whyStale(m).contains(QLatin1String("ran extract")));
            m.stage = stage;
            m.fingerprint = QStringLiteral("other");
            QVERIFY(before->whyStale(m).contains(QLatin1String("other settings")));
        }

        auto ground = expectedShard(store, recipe, QStringLiteral("ground"));
        auto embed = expectedShard(store, recipe, QStringLiteral("embed"));
        QVERIFY(ground.ok() && embed.ok());
        ShardManifest g = sample(), e = sample();
        g.stage = QStringLiteral("ground"), g.fingerprint = ground->fingerprint, g.inputs = ground->inputs;
        e.stage = QStringLiteral("embed"), e.fingerprint = embed->fingerprint, e.inputs = embed->inputs;

        auto retrieve = expectedShard(store, recipe, QStringLiteral("retrieve"));
        QVERIFY(retrieve.ok());
        ShardManifest r = sample();
        r.stage = QStringLiteral("retrieve"), r.fingerprint = retrieve->fingerprint, r.inputs = retrieve->inputs;

        // The encoder was fitted again: embed's shards are stale, and
        // retrieve's (they searched vectors of the old fit); ground's are not.
        QVERIFY(store.setMeta(QStringLiteral("embed.builtin_fit"), QStringLiteral("another fit")).ok());
        auto refit = expectedShard(store, recipe, QStringLiteral("embed"));
        QVERIFY(refit.ok());
        QCOMPARE(refit->fingerprint, embed->fingerprint);
        QVERIFY2(refit->whyStale(e).contains(QLatin1String("encoder fit")), qPrintable(refit->whyStale(e)));
        QVERIFY2(expectedShard(store, recipe, QStringLiteral("retrieve"))->whyStale(r).contains(QLatin1String("encoder fit")),
                 qPrintable(expectedShard(store, recipe, QStringLiteral("retrieve"))->whyStale(r)));
        QVERIFY(expectedShard(store, recipe, QStringLiteral("ground"))->whyStale(g).isEmpty());

        // Image 2 made smaller: extract's verdicts change, the recipe does not.
        QVERIFY(store.exec(QStringLiteral("UPDATE images SET width = 50, height = 40 WHERE id = 2")));
        QVERIFY(ExtractStage::decideImages(store, recipe, ctx).ok());
        auto after = expectedShard(store, recipe, QStringLiteral("ground"));
        QVERIFY(after.ok());
        QCOMPARE(after->fingerprint, ground->fingerprint);
        QVERIFY2(after->whyStale(g).contains(QLatin1String("other inputs")), qPrintable(after->whyStale(g)));
    }

    void manifestRoundTripsAndGuardsItsStore()
    {
        QTemporaryDir tmp;
        const QString dir = shardDir(tmp.path(), 2);
        QCOMPARE(dir, tmp.path() + QStringLiteral("/shards/2"));
        QVERIFY(QDir().mkpath(dir));
        const ShardSpec spec{2, 4};

        // Not finished yet: no manifest.
        QCOMPARE(ShardManifest::read(dir, spec).error().code, ErrorCode::NotFound);

        writeFile(dir + QStringLiteral("/shard.sqlite"), "the shard's rows");
        ShardManifest m = sample();
        QVERIFY(m.write(dir).ok());
        QCOMPARE(m.storeSha256.size(), qsizetype(64));
        auto back = ShardManifest::read(dir, spec);
        QVERIFY2(back.ok(), qPrintable(back ? QString() : back.error().toString()));
        QCOMPARE(back->toJson(), m.toJson());

        // Read as another shard, or with another count: refused.
        QCOMPARE(ShardManifest::read(dir, ShardSpec{1, 4}).error().code, ErrorCode::Conflict);
        QCOMPARE(ShardManifest::read(dir, ShardSpec{2, 8}).error().code, ErrorCode::Conflict);

        // The store written again after the manifest (a rerun killed half way):
        // the shard counts as not finished.
        writeFile(dir + QStringLiteral("/shard.sqlite"), "the shard's rows, half rewritten");
        auto stale = ShardManifest::read(dir, spec);
        QCOMPARE(stale.error().code, ErrorCode::Conflict);
        QVERIFY(stale.error().message.contains(QLatin1String("changed after")));
        QFile::remove(dir + QStringLiteral("/shard.sqlite"));
        QCOMPARE(ShardManifest::read(dir, spec).error().code, ErrorCode::Conflict);
    }

    void malformedManifests_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("truncated") << QByteArray("{\"format\": 1, \"run_id\": \"r\", \"stage\": \"gro");
        QTest::newRow("array") << QByteArray("[1, 2]");
        QTest::newRow("other format") << QByteArray("{\"format\": 2}");
        const QByteArray good = "{\"format\": 1, \"run_id\": \"r\", \"stage\": \"ground\", \"shard\": 2, \"shards\": 4, \"items\": 1, "
                                "\"store\": \"%S\", \"store_sha256\": \"%H\"}";
        const QByteArray hash(64, 'a');
        QTest::newRow("path in store") << QByteArray(good).replace("%S", "../../project.sqlite").replace("%H", hash);
        QTest::newRow("hidden store") << QByteArray(good).replace("%S", ".x").replace("%H", hash);
        QTest::newRow("bad hash") << QByteArray(good).replace("%S", "shard.sqlite").replace("%H", "xyz");
        QTest::newRow("no stage") << QByteArray(good).replace("\"ground\"", "\"\"").replace("%S", "s").replace("%H", hash);
        QTest::newRow("shard past count") << QByteArray(good).replace("\"shard\": 2", "\"shard\": 9").replace("%S", "s").replace("%H", hash);
        QTest::newRow("negative items") << QByteArray(good).replace("\"items\": 1", "\"items\": -3").replace("%S", "s").replace("%H", hash);
    }
    void malformedManifests()
    {
        QFETCH(QByteArray, json);
        QTemporaryDir tmp;
        writeFile(tmp.filePath(QStringLiteral("manifest.json")), json);
        const auto m = ShardManifest::read(tmp.path(), ShardSpec{2, 4});
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::ParseError);
    }
};

QTEST_GUILESS_MAIN(TestSharding)
#include "test_sharding.moc"
