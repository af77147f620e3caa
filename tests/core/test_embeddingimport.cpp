// importEmbeddings(): vectors computed elsewhere, checked before anything is
// written. Every malformed input is an error naming what is wrong, and the
// project (store and recipe) is left as it was.

#include "core/embed/embeddingimport.h"
#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"

#include "tests/support/npyfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace rs;

namespace {

QByteArray npy(const QByteArray &dict, const QByteArray &data)
{
    return rs::test::npyFile(dict, data);
}

// A (rows, cols) float32 .npy with row r, column c = r + c + 1 (never a zero row).
QByteArray matrix(int rows, int cols)
{
    QByteArray data;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const float v = float(r + c + 1);
            data.append(reinterpret_cast<const char *>(&v), 4);
        }
    return npy(QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, %2), }").arg(rows).arg(cols).toLatin1(), data);
}

QByteArray withValue(QByteArray file, int index, float v)
{
    // The data follows the 64-byte-aligned header of npy() above.
    file.replace(file.size() - 4 * (index + 1), 4, reinterpret_cast<const char *>(&v), 4);
    return file;
}

} // namespace

class TestEmbeddingImport : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::unique_ptr<ProjectStore> m_store;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_tmp.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    QString recipeModel()
    {
        auto r = Recipe::load(*m_store);
        return r ? r->text(QStringLiteral("embed.model")) : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        auto store = ProjectStore::create(m_tmp.filePath(QStringLiteral("p")));
        QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
        m_store = std::move(store.value());
        QVERIFY(m_store->exec(QStringLiteral("INSERT INTO sources(id, format, path, added_at) VALUES(1, 'html', '/x', 'now')")));
        QVERIFY(m_store->exec(QStringLiteral("INSERT INTO documents(id, source_id, doc_key) VALUES(1, 1, 'd1')")));
        for (int id = 1; id <= 3; ++id)
            QVERIFY(m_store->exec(QStringLiteral("INSERT INTO images(id, image_key, path) VALUES(?, ?, ?)"),
                                  {id, QStringLiteral("k%1").arg(id), QStringLiteral("/img/%1.png").arg(id)}));
        for (int id = 1; id <= 2; ++id)
            QVERIFY(m_store->exec(QStringLiteral("INSERT INTO sentences(id, document_id, position, block, kind, text, words, entropy,"
                                                 " has_url, has_email, has_emoji, dedup_key) VALUES(?, 1, ?, 0, 'text', 'a b c', 3, 1.5, 0, 0, 0, ?)"),
                                  {id, id, QStringLiteral("a b c %1").arg(id)}));
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("ids");
        QTest::addColumn<QByteArray>("vectors");
        QTest::addColumn<QString>("expected");
        const QByteArray good = matrix(3, 4);
        QTest::newRow("more rows than ids") << "image" << QByteArray("1\n2\n") << good << "2 ids but 3 vector rows";
        QTest::newRow("fewer rows than ids") << "image" << QByteArray("1\n2\n3\n") << matrix(2, 4) << "3 ids but 2 vector rows";
        QTest::newRow("not an id") << "image" << QByteArray("1\nnot-a-number\n3\n") << good << ":2: not an id: 'not-a-number'";
        QTest::newRow("unknown image id") << "image" << QByteArray("1\n2\n999\n") << good << ":3: no image with id 999";
        QTest::newRow("unknown sentence id") << "text" << QByteArray("1\n3\n") << matrix(2, 4) << ":2: no text with id 3";
        QTest::newRow("id twice") << "image" << QByteArray("1\n2\n\n1\n") << good << ":4: id 1 already on line 1";
        QTest::newRow("NaN in a row") << "image" << QByteArray("1\n2\n3\n") << withValue(good, 0, std::numeric_limits<float>::quiet_NaN())
                                      << "NaN or infinity";
        QTest::newRow("infinite value") << "image" << QByteArray("1\n2\n3\n") << withValue(good, 5, std::numeric_limits<float>::infinity())
                                        << "NaN or infinity";
        QByteArray zeroRow = good;
        for (int c = 0; c < 4; ++c)
            zeroRow = withValue(zeroRow, c, 0.0f);
        QTest::newRow("zero row") << "image" << QByteArray("1\n2\n3\n") << zeroRow << "row 2 is all zeros";
        QTest::newRow("bad magic") << "image" << QByteArray("1\n") << QByteArray("PK\x03\x04 not an npy at all") << "bad magic";
        QTest::newRow("truncated data") << "image" << QByteArray("1\n2\n3\n") << good.left(good.size() - 3) << "v.npy";
        QTest::newRow("1-D array") << "image" << QByteArray("1\n")
                                   << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", QByteArray(16, '\x01')) << "2-D";
        QTest::newRow("int64 data") << "image" << QByteArray("1\n")
                                    << npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }", QByteArray(16, '\x01')) << "dtype";
        QTest::newRow("empty file") << "image" << QByteArray("1\n") << QByteArray() << "v.npy";
        QTest::newRow("unknown kind") << "audio" << QByteArray("1\n") << matrix(1, 4) << "kind must be image or text";
    }
    void malformed()
    {
        QFETCH(QString, kind);
        QFETCH(QByteArray, ids);
        QFETCH(QByteArray, vectors);
        QFETCH(QString, expected);
        auto recipe = Recipe::load(*m_store);
        QVERIFY(recipe);
        const QString before = recipeModel();
        EmbeddingImportOptions opts;
        opts.kind = kind;
        opts.idsPath = write(QStringLiteral("ids.txt"), ids);
        opts.vectorsPath = write(QStringLiteral("v.npy"), vectors);
        opts.model = QStringLiteral("bad-model");
        auto r = importEmbeddings(*m_store, *recipe, opts);
        QVERIFY2(!r, "a malformed import was accepted");
        QVERIFY2(r.error().toString().contains(expected), qPrintable(r.error().toString()));
        // Nothing written: the recipe keeps its model and no store was made for the bad one.
        QCOMPARE(recipeModel(), before);
        for (const char *k : {"images", "sentences"}) {
            auto s = EmbeddingStore::openInProject(*m_store, QLatin1String(k));
            QVERIFY(!s || (*s)->encoder() != QLatin1String("bad-model"));
        }
    }

    void missingFiles()
    {
        auto recipe = Recipe::load(*m_store);
        QVERIFY(recipe);
        EmbeddingImportOptions opts;
        opts.kind = QStringLiteral("image");
        opts.idsPath = m_tmp.filePath(QStringLiteral("no-such-ids.txt"));
        opts.vectorsPath = write(QStringLiteral("v.npy"), matrix(1, 4));
        auto r = importEmbeddings(*m_store, *recipe, opts);
        QVERIFY(!r);
        QVERIFY2(r.error().toString().contains(QStringLiteral("no-such-ids.txt: cannot open")), qPrintable(r.error().toString()));
        opts.vectorsPath = m_tmp.filePath(QStringLiteral("no-such.npy"));
        QVERIFY(!importEmbeddings(*m_store, *recipe, opts));
    }

    void importsBothKindsOfOneWidth()
    {
        auto recipe = Recipe::load(*m_store);
        QVERIFY(recipe);
        EmbeddingImportOptions opts;
        opts.kind = QStringLiteral("image");
        opts.idsPath = write(QStringLiteral("ids.txt"), "3\n1\n");
        opts.vectorsPath = write(QStringLiteral("v.npy"), matrix(2, 4));
        opts.model = QStringLiteral("my-clip");
        auto r = importEmbeddings(*m_store, *recipe, opts);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(r->rows, 2);
        QCOMPARE(r->dims, 4);
        QCOMPARE(recipeModel(), QStringLiteral("imported:my-clip"));
        auto images = EmbeddingStore::openInProject(*m_store, QStringLiteral("images"));
        QVERIFY(images);
        QCOMPARE((*images)->encoder(), QStringLiteral("my-clip"));
        QVERIFY((*images)->has(3) && (*images)->has(1) && !(*images)->has(2));
        // Row 0 (1, 2, 3, 4) went to image 3, normalised.
        const Matrix back = (*images)->get({3});
        QVERIFY(std::abs(back.row(0)[3] - 4.0f / std::sqrt(30.0f)) < 2e-3f);
        images->reset();

        // Texts of another width cannot share the images' space.
        opts.kind = QStringLiteral("text");
        opts.idsPath = write(QStringLiteral("ids.txt"), "1\n2\n");
        opts.vectorsPath = write(QStringLiteral("v.npy"), matrix(2, 3));
        r = importEmbeddings(*m_store, *recipe, opts);
        QVERIFY(!r);
        QVERIFY2(r.error().toString().contains(QStringLiteral("both kinds must come from one model")), qPrintable(r.error().toString()));
        opts.vectorsPath = write(QStringLiteral("v.npy"), matrix(2, 4));
        r = importEmbeddings(*m_store, *recipe, opts);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(r->rows, 2);
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingImport)
#include "test_embeddingimport.moc"
