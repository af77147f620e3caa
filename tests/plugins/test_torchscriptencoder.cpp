// The encoder_torchscript plugin end to end: found and loaded by
// PluginManager from the build tree, opening the tiny CLIP that
// export_open_clip.py exported (CTest fixture tiny_clip), and every load
// error a user can cause.
#include "core/embed/iencoder.h"
#include "core/plugin/pluginmanager.h"
#include "plugins/encoder_torchscript/clippreprocess.h"
#include "plugins/encoder_torchscript/torchscriptencoder.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QFileInfo>
#include <QTest>

#include "tests/support/testdata.h"

#include <cmath>

using namespace rs;

namespace {

QImage randomImage(int w, int h, quint32 seed)
{
    QImage img(w, h, QImage::Format_RGB888);
    QRandomGenerator rng(seed);
    for (int y = 0; y < h; ++y) {
        uchar *row = img.scanLine(y);
        for (int x = 0; x < 3 * w; ++x)
            row[x] = uchar((x * 7 + y * 3 + rng.bounded(64)) % 256);
    }
    return img;
}

double maxAbsDiff(const float *a, const float *b, int n)
{
    double m = 0;
    for (int i = 0; i < n; ++i)
        m = std::max(m, double(std::abs(a[i] - b[i])));
    return m;
}

bool copyDir(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    const QStringList files = QDir(from).entryList(QDir::Files);
    for (const QString &f : files) {
        if (!QFile::copy(QDir(from).filePath(f), QDir(to).filePath(f)))
            return false;
    }
    return true;
}

} // namespace

class TestTorchScriptEncoder : public QObject {
    Q_OBJECT
private:
    QString m_modelDir;
    PluginManager m_plugins;
    IEncoderPlugin *m_plugin = nullptr;
    std::shared_ptr<IEncoder> m_encoder;

    QString brokenModel(const QString &name) const { return QDir(m_modelDir).filePath(QStringLiteral("broken/") + name); }

private Q_SLOTS:
    void initTestCase()
    {
        // The tiny model ships CLIP's real merges (copied by make_tiny_clip.py
        // from the shared reference data): the tokenizer needs all of them.
        RS_REQUIRE_SHARED_FILE(merges, "clip_bpe_simple_vocab_16e6.txt.gz", "the TorchScript encoder's text path");
        m_modelDir = qEnvironmentVariable("REALSYN_TINY_CLIP");
        QVERIFY2(QFileInfo(QDir(m_modelDir).filePath(QStringLiteral("model.pt"))).isFile(),
                 "REALSYN_TINY_CLIP must name the exported tiny CLIP (run through CTest: fixture export_tiny_clip)");
    }

    void pluginFoundInBuildTreeByInterface()
    {
        m_plugins.scan();
        const QList<PluginRecord> before = m_plugins.plugins();
        auto it = std::find_if(before.begin(), before.end(), [](const PluginRecord &r) {
            return r.metaData.value(QStringLiteral("name")).toString() == QLatin1String("encoder_torchscript");
        });
        QVERIFY2(it != before.end(), qPrintable(QStringLiteral("not found in ") + m_plugins.searchPaths().join(QLatin1Char(':'))));
        QCOMPARE(it->iid, QStringLiteral(RealSyn_IEncoderPlugin_iid));
        QVERIFY(!it->loaded); // metadata only, nothing loaded yet
        QVERIFY(it->errorString.isEmpty());

        const QList<IEncoderPlugin *> encoders = m_plugins.objects<IEncoderPlugin>();
        QCOMPARE(encoders.size(), 1);
        m_plugin = encoders.front();
        const QList<PluginRecord> after = m_plugins.plugins();
        QVERIFY(std::any_of(after.begin(), after.end(), [](const PluginRecord &r) { return r.loaded; }));

        auto enc = m_plugin->open(m_modelDir, {});
        QVERIFY2(enc.ok(), enc.ok() ? "" : qPrintable(enc.error().toString()));
        m_encoder = enc.value();
        QCOMPARE(m_encoder->info().name, QStringLiteral("tiny-clip/random"));
        QCOMPARE(m_encoder->info().dimension, 16);
        QVERIFY(m_encoder->info().clipFamily);
    }

    void notAPluginKeepsItsError()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("libbogus.so")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not an ELF file");
        f.close();
        PluginManager pm({dir.path()});
        pm.scan();
        QCOMPARE(pm.plugins().size(), 1);
        QVERIFY(!pm.plugins().front().errorString.isEmpty());
        QVERIFY(pm.objects<IEncoderPlugin>().isEmpty());
    }

    void shapesAndUnitNorm()
    {
        QVERIFY(m_encoder);
        JobContext ctx;
        QList<QImage> images{randomImage(640, 480, 1), randomImage(31, 90, 2), randomImage(32, 32, 3),
                             randomImage(500, 500, 4), randomImage(1000, 200, 5)};
        auto img = m_encoder->encodeImages(images, ctx);
        QVERIFY2(img.ok(), img.ok() ? "" : qPrintable(img.error().toString()));
        QCOMPARE(img->rows, 5);
        QCOMPARE(img->cols, 16);
        auto txt = m_encoder->encodeTexts({QStringLiteral("a photo of a cat"), QStringLiteral("a dog"), QString()}, ctx);
        QVERIFY2(txt.ok(), txt.ok() ? "" : qPrintable(txt.error().toString()));
        QCOMPARE(txt->rows, 3);
        QCOMPARE(txt->cols, 16);
        for (const Matrix *m : {&img.value(), &txt.value()}) {
            for (qint64 i = 0; i < m->rows; ++i) {
                double s = 0;
                for (int j = 0; j < m->cols; ++j)
                    s += double(m->row(i)[j]) * m->row(i)[j];
                QVERIFY2(std::abs(std::sqrt(s) - 1.0) < 1e-5, qPrintable(QString::number(std::sqrt(s))));
            }
        }
        // Different inputs, different embeddings (cosine clearly below 1).
        double cos = 0;
        for (int j = 0; j < 16; ++j)
            cos += double(img->row(0)[j]) * img->row(1)[j];
        QVERIFY2(cos < 0.999, qPrintable(QString::number(cos)));
        cos = 0;
        for (int j = 0; j < 16; ++j)
            cos += double(txt->row(0)[j]) * txt->row(1)[j];
        QVERIFY2(cos < 0.999, qPrintable(QString::number(cos)));
    }

    void deterministic()
    {
        QVERIFY(m_encoder);
        JobContext ctx;
        const QList<QImage> images{randomImage(300, 200, 9), randomImage(64, 64, 10)};
        auto a = m_encoder->encodeImages(images, ctx);
        auto b = m_encoder->encodeImages(images, ctx);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(maxAbsDiff(a->data.data(), b->data.data(), int(a->data.size())), 0.0);
        const QStringList texts{QStringLiteral("the cat"), QStringLiteral("a dog on a photo")};
        auto c = m_encoder->encodeTexts(texts, ctx);
        auto d = m_encoder->encodeTexts(texts, ctx);
        QVERIFY(c.ok() && d.ok());
        QCOMPARE(maxAbsDiff(c->data.data(), d->data.data(), int(c->data.size())), 0.0);
    }

    void batchingInvariance()
    {
        QVERIFY(m_encoder);
        JobContext ctx;
        QList<QImage> images;
        QStringList texts;
        for (int i = 0; i < 4; ++i) {
            images << randomImage(100 + 40 * i, 120, quint32(20 + i));
            texts << QStringLiteral("caption number %1 of a cat").arg(i).repeated(i + 1);
        }
        auto all = m_encoder->encodeImages(images, ctx);
        auto allText = m_encoder->encodeTexts(texts, ctx);
        QVERIFY(all.ok() && allText.ok());
        for (int i = 0; i < 4; ++i) {
            auto one = m_encoder->encodeImages({images[i]}, ctx);
            auto oneText = m_encoder->encodeTexts({texts[i]}, ctx);
            QVERIFY(one.ok() && oneText.ok());
            QVERIFY2(maxAbsDiff(one->row(0), all->row(i), 16) < 1e-5, "image row depends on its batch");
            QVERIFY2(maxAbsDiff(oneText->row(0), allText->row(i), 16) < 1e-5, "text row depends on its batch");
        }
    }

    void pipelinedChunksMatchOneBatch()
    {
        // batch 3 over 8 images: three forwards, preprocessing overlapped.
        auto small = TorchScriptEncoder::open(m_modelDir, {{QStringLiteral("batch"), 3}});
        QVERIFY2(small.ok(), small.ok() ? "" : qPrintable(small.error().toString()));
        QList<QImage> images;
        for (int i = 0; i < 8; ++i)
            images << randomImage(90 + 10 * i, 70, quint32(40 + i));
        qint64 lastDone = 0;
        int calls = 0;
        JobContext ctx([&](qint64 done, qint64 total, const QString &) { lastDone = done; ++calls; QCOMPARE(total, 8); }, {});
        auto chunked = small.value()->encodeImages(images, ctx);
        JobContext plain;
        auto whole = m_encoder->encodeImages(images, plain);
        QVERIFY(chunked.ok() && whole.ok());
        QCOMPARE(calls, 3);
        QCOMPARE(lastDone, 8);
        QVERIFY(maxAbsDiff(chunked->data.data(), whole->data.data(), 8 * 16) < 1e-5);

        // encodePixels on ClipPreprocess output is the same computation.
        const ClipPreprocess prep(ClipPreprocessConfig{32});
        std::vector<float> px(size_t(prep.floatsPerImage()));
        QVERIFY(prep.run(images[5], px.data()));
        auto direct = small.value()->encodePixels(px.data(), 1);
        QVERIFY(direct.ok());
        QVERIFY(maxAbsDiff(direct->row(0), whole->row(5), 16) < 1e-5);
    }

    void emptyNullAndCanceled()
    {
        QVERIFY(m_encoder);
        JobContext ctx;
        auto empty = m_encoder->encodeImages({}, ctx);
        QVERIFY(empty.ok());
        QCOMPARE(empty->rows, 0);
        auto null = m_encoder->encodeImages({randomImage(8, 8, 1), QImage()}, ctx);
        QVERIFY(!null.ok());
        QCOMPARE(null.error().code, ErrorCode::InvalidArgument);
        QVERIFY(null.error().message.contains(QLatin1String("image 1")));
        JobContext canceled;
        canceled.cancel();
        auto c1 = m_encoder->encodeImages({randomImage(8, 8, 1)}, canceled);
        auto c2 = m_encoder->encodeTexts({QStringLiteral("x")}, canceled);
        QVERIFY(!c1.ok() && !c2.ok());
        QCOMPARE(c1.error().code, ErrorCode::Canceled);
        QCOMPARE(c2.error().code, ErrorCode::Canceled);
    }

    void openErrors_data()
    {
        QTest::addColumn<QString>("change"); // what to break in a copy of the model folder
        QTest::addColumn<QVariantMap>("options");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QVariantMap none;
        QTest::newRow("missing folder") << "rmdir" << none << int(ErrorCode::NotFound) << "model folder does not exist";
        QTest::newRow("missing model.json") << "rm model.json" << none << int(ErrorCode::NotFound) << "no model.json";
        QTest::newRow("malformed json") << "json {\"name\": \"x\", " << none << int(ErrorCode::ParseError) << "malformed JSON at offset";
        QTest::newRow("json not an object") << "json [1, 2]" << none << int(ErrorCode::ParseError) << "expected a JSON object";
        QTest::newRow("missing embed_dim") << "key embed_dim null" << none << int(ErrorCode::ParseError) << "\"embed_dim\" must be a positive integer";
        QTest::newRow("bad mean") << "key mean 0.5" << none << int(ErrorCode::ParseError) << "\"mean\" must be an array of 3 numbers";
        QTest::newRow("wrong embed_dim") << "key embed_dim 17" << none << int(ErrorCode::ParseError)
                                         << "encode_image returned [2, 16], expected [2, 17]";
        QTest::newRow("missing model.pt") << "rm model.pt" << none << int(ErrorCode::NotFound) << "no model.pt";
        QTest::newRow("garbage model.pt") << "garbage" << none << int(ErrorCode::ParseError)
                                          << "not a TorchScript model libtorch 1.13 can load";
        QTest::newRow("missing method") << "pt missing_method.pt" << none << int(ErrorCode::ParseError)
                                        << "has no method encode_text()";
        QTest::newRow("op libtorch 1.13 lacks") << "pt unknown_op.pt" << none << int(ErrorCode::ParseError)
                                                << "Unknown builtin op: aten::scaled_dot_product_attention";
        QTest::newRow("missing merges") << "rm bpe_simple_vocab_16e6.txt.gz" << none << int(ErrorCode::NotFound)
                                        << "merges file not found";
        QTest::newRow("cuda unavailable") << "" << QVariantMap{{QStringLiteral("device"), QStringLiteral("cuda")}}
                                          << int(ErrorCode::Unsupported) << "device \"cuda\" requested";
        QTest::newRow("unknown device") << "" << QVariantMap{{QStringLiteral("device"), QStringLiteral("tpu")}}
                                        << int(ErrorCode::InvalidArgument) << "unknown device \"tpu\"";
        QTest::newRow("bad batch") << "" << QVariantMap{{QStringLiteral("batch"), 0}} << int(ErrorCode::InvalidArgument)
                                   << "\"batch\" must be a positive integer";
    }
    void openErrors()
    {
        QFETCH(QString, change);
        QFETCH(QVariantMap, options);
        QFETCH(int, code);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("model"));
        QVERIFY(copyDir(m_modelDir, dir));
        const QString json = QDir(dir).filePath(QStringLiteral("model.json"));
        const QString pt = QDir(dir).filePath(QStringLiteral("model.pt"));
        if (change == QLatin1String("rmdir")) {
            QVERIFY(QDir(dir).removeRecursively());
        } else if (change.startsWith(QLatin1String("rm "))) {
            QVERIFY(QFile::remove(QDir(dir).filePath(change.mid(3))));
        } else if (change.startsWith(QLatin1String("json "))) {
            QFile f(json);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(change.mid(5).toUtf8());
        } else if (change.startsWith(QLatin1String("key "))) {
            const QStringList parts = change.split(QLatin1Char(' '));
            QFile f(json);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
            f.close();
            o.insert(parts[1], QJsonDocument::fromJson("[" + parts[2].toUtf8() + "]").array().at(0));
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QJsonDocument(o).toJson());
        } else if (change == QLatin1String("garbage")) {
            QFile f(pt);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QByteArray(4096, '\x5a'));
        } else if (change.startsWith(QLatin1String("pt "))) {
            QVERIFY(QFile::remove(pt));
            QVERIFY(QFile::copy(brokenModel(change.mid(3)), pt));
        }
        QVERIFY(m_plugin);
        auto r = m_plugin->open(dir, options);
        QVERIFY(!r.ok());
        const QString text = r.error().toString();
        qInfo("%s", qPrintable(text));
        QCOMPARE(int(r.error().code), code);
        QVERIFY2(text.contains(message), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1Char('\n')), "errors are one line");
    }
};

QTEST_GUILESS_MAIN(TestTorchScriptEncoder)
#include "test_torchscriptencoder.moc"
