#include "core/ingest/wdsreader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

#include <vector>

using namespace rs;

namespace {

struct Member {
    enum Kind { File, Symlink, Hardlink };
    QByteArray name;
    QByteArray data;
    Kind kind = File;
    QByteArray target; // link target for Symlink / Hardlink
};

// Writes a ustar shard with 512-byte blocking, so that member offsets are
// predictable: each member is a 512-byte header plus its data padded to 512,
// and the archive ends with two zero blocks.
bool writeTar(const QString &path, const std::vector<Member> &members, bool gzip = false)
{
    archive *a = archive_write_new();
    archive_write_set_format_ustar(a);
    if (gzip)
        archive_write_add_filter_gzip(a);
    archive_write_set_bytes_per_block(a, 512);
    bool ok = archive_write_open_filename(a, QFile::encodeName(path).constData()) == ARCHIVE_OK;
    for (const Member &m : members) {
        if (!ok)
            break;
        archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m.name.constData());
        archive_entry_set_perm(e, 0644);
        archive_entry_set_mtime(e, 1700000000, 0);
        if (m.kind == Member::Symlink) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, m.target.constData());
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            if (m.kind == Member::Hardlink)
                archive_entry_set_hardlink(e, m.target.constData());
            archive_entry_set_size(e, m.kind == Member::Hardlink ? 0 : m.data.size());
        }
        ok = archive_write_header(a, e) == ARCHIVE_OK;
        if (ok && m.kind == Member::File && !m.data.isEmpty())
            ok = archive_write_data(a, m.data.constData(), size_t(m.data.size())) == m.data.size();
        archive_entry_free(e);
    }
    ok = archive_write_close(a) == ARCHIVE_OK && ok;
    archive_write_free(a);
    return ok;
}

qint64 padded(qint64 n)
{
    return (n + 511) / 512 * 512;
}

struct Collected {
    std::vector<SourceItem> items;
    Status status;

    std::vector<Document> docs() const
    {
        std::vector<Document> out;
        for (const SourceItem &item : items)
            if (item.document)
                out.push_back(*item.document);
        return out;
    }
    QStringList errors() const
    {
        QStringList out;
        for (const SourceItem &item : items)
            if (!item.document)
                out << item.location + QStringLiteral(" | ") + item.error;
        return out;
    }
};

Collected readAll(const QString &tar, const QString &extractDir)
{
    Collected c;
    WdsReader reader(tar, extractDir);
    c.status = reader.read([&](SourceItem &&item) {
        c.items.push_back(std::move(item));
        return true;
    });
    return c;
}

QByteArray fakeImage(char fill, int size)
{
    QByteArray b(size, fill);
    b.prepend("\xff\xd8\xff\xe0");
    return b;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Three complete samples; the last member is sample 2's 3000-byte image.
std::vector<Member> threeSamples()
{
    return {
        {"000000000.txt", "caption zero", Member::File, {}},
        {"000000000.jpg", fakeImage('a', 3000), Member::File, {}},
        {"000000001.txt", "caption one", Member::File, {}},
        {"000000001.jpg", fakeImage('b', 3000), Member::File, {}},
        {"000000002.txt", "caption two", Member::File, {}},
        {"000000002.jpg", fakeImage('c', 2996), Member::File, {}},
    };
}

} // namespace

class TestWdsReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void normalShard()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString tar = dir.filePath(QStringLiteral("00000.tar"));
        const QByteArray img0 = fakeImage('x', 5000);
        const QByteArray img1 = fakeImage('y', 100);
        QVERIFY(writeTar(tar, {
                                  {"000000000.jpg", img0, Member::File, {}},
                                  {"000000000.txt", "A  red\nbicycle ", Member::File, {}},
                                  {"000000000.json",
                                   "{\"url\": \"https://e.example/bike.jpg\", \"key\": \"000000000\", "
                                   "\"caption\": \"ignored, .txt wins\", \"LICENSE\": \"CC-BY\"}",
                                   Member::File, {}},
                                  {"000000001.json", "{\"url\": \"https://e.example/cat.png\", \"caption\": \"a cat\"}",
                                   Member::File, {}},
                                  {"000000001.PNG", img1, Member::File, {}},
                                  {"000000001.cls", "7", Member::File, {}},
                                  {"./sub/dir/000000002.webp", fakeImage('z', 10), Member::File, {}},
                              }));
        const QString out = dir.filePath(QStringLiteral("extract"));
        const Collected c = readAll(tar, out);
        QVERIFY(c.status.ok());
        QCOMPARE(c.errors(), QStringList());
        const auto docs = c.docs();
        QCOMPARE(docs.size(), size_t(3));
        const QString id = WdsReader::shardId(tar);
        QVERIFY(id.startsWith(QLatin1String("00000-")));
        const QString shardDir = QFileInfo(out + QLatin1Char('/') + id).canonicalFilePath();
        QVERIFY(!shardDir.isEmpty());

        const Document &d0 = docs.at(0);
        QCOMPARE(c.items.at(0).location, QStringLiteral("00000.tar:000000000"));
        QCOMPARE(d0.key, QString(QStringLiteral("wds:") + id + QStringLiteral("/000000000")));
        QCOMPARE(d0.sourcePath, QFileInfo(tar).absoluteFilePath());
        QCOMPARE(d0.url, QStringLiteral("https://e.example/bike.jpg"));
        QCOMPARE(d0.license, QStringLiteral("CC-BY"));
        QCOMPARE(d0.warnings, QStringList());
        QCOMPARE(d0.images.size(), 1);
        QCOMPARE(d0.images.front().src, QStringLiteral("000000000.jpg"));
        QCOMPARE(d0.images.front().caption, QStringLiteral("A red bicycle"));
        QCOMPARE(d0.images.front().refusal, QString());
        QCOMPARE(d0.images.front().localPath, shardDir + QStringLiteral("/000000000.jpg"));
        QCOMPARE(readFile(d0.images.front().localPath), img0);
        QCOMPARE(d0.blocks.size(), 1);
        QCOMPARE(d0.blocks.front().text, QStringLiteral("A red bicycle"));
        QCOMPARE(d0.blocks.front().kind, BlockKind::Caption);
        QVERIFY(d0.blocks.front().position > d0.images.front().position);

        const Document &d1 = docs.at(1);
        QCOMPARE(d1.key, QString(QStringLiteral("wds:") + id + QStringLiteral("/000000001")));
        QCOMPARE(d1.images.front().caption, QStringLiteral("a cat")); // from the json, no .txt
        QCOMPARE(readFile(d1.images.front().localPath), img1);
        QCOMPARE(d1.license, QString());

        const Document &d2 = docs.at(2);
        QCOMPARE(d2.key, QString(QStringLiteral("wds:") + id + QStringLiteral("/sub/dir/000000002")));
        QCOMPARE(d2.images.front().localPath, shardDir + QStringLiteral("/sub/dir/000000002.webp"));
        QVERIFY(d2.blocks.isEmpty());
        QCOMPARE(d2.warnings, QStringList{QStringLiteral("sample has no caption")});
    }

    void gzipShard()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("00001.tar.gz"));
        QVERIFY(writeTar(tar, threeSamples(), /*gzip=*/true));
        QVERIFY(readFile(tar).startsWith("\x1f\x8b"));
        const QString out = dir.filePath(QStringLiteral("x"));
        const Collected c = readAll(tar, out);
        QVERIFY(c.status.ok());
        QCOMPARE(c.errors(), QStringList());
        const auto docs = c.docs();
        QCOMPARE(docs.size(), size_t(3));
        QCOMPARE(docs.at(2).key, QString(QStringLiteral("wds:") + WdsReader::shardId(tar) + QStringLiteral("/000000002")));
        QCOMPARE(docs.at(2).images.front().caption, QStringLiteral("caption two"));
        QCOMPARE(readFile(out + QLatin1Char('/') + WdsReader::shardId(tar) + QStringLiteral("/000000002.jpg")), fakeImage('c', 2996));
    }

    void unsafeMembers()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("00002.tar"));
        const QString absName = dir.filePath(QStringLiteral("abs-target/x.jpg")); // absolute path inside the temp dir
        QVERIFY(writeTar(tar, {
                                  {"000000000.jpg", fakeImage('a', 10), Member::File, {}},
                                  {"../evil.jpg", "evil", Member::File, {}},
                                  {"../evil.txt", "evil caption", Member::File, {}},
                                  {absName.toUtf8(), "abs", Member::File, {}},
                                  {"ok/../../up.jpg", "up", Member::File, {}},
                                  {"000000003.jpg", {}, Member::Symlink, "/etc/passwd"},
                                  {"000000003.txt", "linked", Member::File, {}},
                                  {"000000004.jpg", {}, Member::Hardlink, "000000000.jpg"},
                                  {"000000005.txt", "caption without image", Member::File, {}},
                                  {"000000005.json", "{}", Member::File, {}},
                                  {"000000006.jpg", fakeImage('f', 10), Member::File, {}},
                                  {"000000006.txt", {}, Member::Symlink, "/etc/hostname"},
                              }));
        const QString out = dir.filePath(QStringLiteral("extract"));
        const Collected c = readAll(tar, out);
        QVERIFY(c.status.ok());

        const QStringList errors = c.errors();
        QCOMPARE(errors.size(), 5);
        QVERIFY2(errors.at(0).startsWith(QLatin1String("00002.tar:../evil.jpg | unsafe member path ../evil.jpg")),
                 qPrintable(errors.at(0)));
        QVERIFY(errors.at(1).startsWith(QLatin1String("00002.tar:../evil.txt | unsafe member path")));
        QVERIFY2(errors.at(2).contains(QLatin1String("unsafe member path ") + absName), qPrintable(errors.at(2)));
        QVERIFY(errors.at(3).contains(QLatin1String("unsafe member path ok/../../up.jpg")));
        QCOMPARE(errors.at(4), QStringLiteral("00002.tar:000000005 | sample 000000005 has no image member (has .txt, .json)"));
        // Nothing was written outside the extract folder.
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("evil.jpg"))));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("extract/evil.jpg"))));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("up.jpg"))));
        QVERIFY(!QFileInfo::exists(absName));

        const auto docs = c.docs();
        QCOMPARE(docs.size(), size_t(4));
        QCOMPARE(docs.at(0).key, QString(QStringLiteral("wds:") + WdsReader::shardId(tar) + QStringLiteral("/000000000")));
        QCOMPARE(docs.at(0).images.front().refusal, QString());

        const Document &sym = docs.at(1);
        QCOMPARE(sym.key, QString(QStringLiteral("wds:") + WdsReader::shardId(tar) + QStringLiteral("/000000003")));
        QCOMPARE(sym.images.front().refusal, QStringLiteral("outside_corpus"));
        QVERIFY(sym.images.front().localPath.isEmpty());
        QCOMPARE(sym.images.front().caption, QStringLiteral("linked"));
        QVERIFY(sym.warnings.join(QLatin1Char('|')).contains(QLatin1String("is a symlink; not followed")));
        const QString symPath = dir.filePath(QStringLiteral("extract/") + WdsReader::shardId(tar) + QStringLiteral("/000000003.jpg"));
        QVERIFY(!QFileInfo::exists(symPath) && !QFileInfo(symPath).isSymLink());

        const Document &hard = docs.at(2);
        QCOMPARE(hard.key, QString(QStringLiteral("wds:") + WdsReader::shardId(tar) + QStringLiteral("/000000004")));
        QCOMPARE(hard.images.front().refusal, QStringLiteral("outside_corpus"));
        QVERIFY(hard.warnings.join(QLatin1Char('|')).contains(QLatin1String("is a hardlink")));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("extract/") + WdsReader::shardId(tar) + QStringLiteral("/000000004.jpg"))));

        // A symlinked caption is ignored; the image itself is fine.
        const Document &symText = docs.at(3);
        QCOMPARE(symText.images.front().refusal, QString());
        QVERIFY(symText.blocks.isEmpty());
        QVERIFY(symText.warnings.join(QLatin1Char('|')).contains(QLatin1String("000000006.txt is a symlink; ignored")));
    }

    // Cut or damage the shard: the samples before the damage come through,
    // then exactly one error item; the Status stays ok.
    void damagedShard_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<int>("documents");
        QTest::addColumn<QString>("expected");
        QTest::newRow("cut inside last image data") << QStringLiteral("cut-data") << 2
                                                    << QStringLiteral("incomplete sample 000000002 dropped");
        QTest::newRow("cut inside a header") << QStringLiteral("cut-header") << 2 << QStringLiteral("archive error after");
        QTest::newRow("garbage header") << QStringLiteral("garbage-header") << 1
                                        << QStringLiteral("; incomplete sample 000000001 dropped");
    }
    void damagedShard()
    {
        QFETCH(QString, damage);
        QFETCH(int, documents);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("00003.tar"));
        QVERIFY(writeTar(tar, threeSamples()));
        QByteArray bytes = readFile(tar);
        // Layout: 6 members of header + padded data, then 1024 zero bytes.
        const qint64 lastImageData = bytes.size() - 1024 - padded(3000);
        QCOMPARE(bytes.mid(lastImageData, 4), QByteArray("\xff\xd8\xff\xe0"));
        const qint64 sample2Header = 2 * (512 + 512) + 2 * (512 + padded(3004)); // 000000002.txt's header
        QCOMPARE(bytes.mid(sample2Header, 13), QByteArray("000000002.txt"));
        const qint64 sample1ImageHeader = 512 + 512 + 512 + padded(3004) + 512 + 512;
        QCOMPARE(bytes.mid(sample1ImageHeader, 13), QByteArray("000000001.jpg"));
        if (damage == QLatin1String("cut-data"))
            bytes.truncate(lastImageData + 1000);
        else if (damage == QLatin1String("cut-header"))
            bytes.truncate(sample2Header + 200);
        else
            bytes.replace(sample1ImageHeader, 512, QByteArray(512, 'Q'));
        {
            QFile f(tar);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(bytes);
        }
        const QString out = dir.filePath(QStringLiteral("extract"));
        const Collected c = readAll(tar, out);
        QVERIFY(c.status.ok());
        QCOMPARE(int(c.docs().size()), documents);
        QCOMPARE(c.items.size(), size_t(documents + 1));
        QVERIFY(c.items.back().document == std::nullopt);
        QVERIFY2(c.items.back().error.contains(expected), qPrintable(c.items.back().error));
        QVERIFY(!c.items.back().error.contains(QLatin1Char('\n')));
        // The cut image was not left half-written.
        QVERIFY(!QFileInfo::exists(out + QLatin1Char('/') + WdsReader::shardId(tar) + QStringLiteral("/000000002.jpg")));
        QCOMPARE(c.docs().front().images.front().caption, QStringLiteral("caption zero"));
    }

    void notAnArchive()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("junk.tar"));
        QFile f(tar);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4000, '\x07'));
        f.close();
        const Collected c = readAll(tar, dir.filePath(QStringLiteral("x")));
        QVERIFY(!c.status.ok());
        QCOMPARE(c.status.error().code, ErrorCode::ParseError);
        QVERIFY(c.items.empty());
    }

    void missingShard()
    {
        QTemporaryDir dir;
        const Collected c = readAll(dir.filePath(QStringLiteral("nope.tar")), dir.path());
        QVERIFY(!c.status.ok());
        QCOMPARE(c.status.error().code, ErrorCode::NotFound);
    }

    void nonConsecutiveKeyAndSecondImage()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("00004.tar"));
        QVERIFY(writeTar(tar, {
                                  {"a.jpg", "1", Member::File, {}},
                                  {"a.png", "2", Member::File, {}},
                                  {"b.jpg", "3", Member::File, {}},
                                  {"a.txt", "late caption", Member::File, {}},
                              }));
        const Collected c = readAll(tar, dir.filePath(QStringLiteral("x")));
        QCOMPARE(c.docs().size(), size_t(2));
        QCOMPARE(c.docs().front().images.front().src, QStringLiteral("a.jpg"));
        QVERIFY(c.docs().front().warnings.join(QLatin1Char('|')).contains(QLatin1String("second image member a.png ignored")));
        QCOMPARE(c.errors().size(), 1);
        QVERIFY2(c.errors().front().contains(QLatin1String("must be consecutive")), qPrintable(c.errors().front()));
    }

    void sinkStopsAndCancel()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("00005.tar"));
        QVERIFY(writeTar(tar, threeSamples()));
        WdsReader reader(tar, dir.filePath(QStringLiteral("x")));
        int seen = 0;
        QVERIFY(reader.read([&](SourceItem &&) { return ++seen < 2; }).ok());
        QCOMPARE(seen, 2);

        std::atomic<bool> cancel{false};
        seen = 0;
        const Status s = reader.read(
            [&](SourceItem &&) {
                ++seen;
                cancel = true;
                return true;
            },
            &cancel);
        QCOMPARE(s.ok(), false);
        QCOMPARE(s.error().code, ErrorCode::Canceled);
        QCOMPARE(seen, 1);
    }

    // Issue 11: two shards named 00000.tar in different folders shared
    // media/wds/00000/ and document keys, so the second's images overwrote
    // the first's and its captions were paired with the wrong image.
    void sameNameInTwoFoldersStaysApart()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a/00000.tar")), b = dir.filePath(QStringLiteral("b/00000.tar"));
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("a"))) && QDir().mkpath(dir.filePath(QStringLiteral("b"))));
        QVERIFY(writeTar(a, {{"000000000.jpg", fakeImage('a', 100), Member::File, {}}, {"000000000.txt", "from a", Member::File, {}}}));
        QVERIFY(writeTar(b, {{"000000000.jpg", fakeImage('b', 100), Member::File, {}}, {"000000000.txt", "from b", Member::File, {}}}));
        QVERIFY(WdsReader::shardId(a) != WdsReader::shardId(b));
        const QString out = dir.filePath(QStringLiteral("extract"));
        const Collected ca = readAll(a, out), cb = readAll(b, out);
        QCOMPARE(ca.docs().size(), size_t(1));
        QCOMPARE(cb.docs().size(), size_t(1));
        const Document da = ca.docs().front(), db = cb.docs().front();
        QVERIFY(da.key != db.key);
        QVERIFY(da.images.front().localPath != db.images.front().localPath);
        QCOMPARE(readFile(da.images.front().localPath), fakeImage('a', 100)); // not overwritten by b
        QCOMPARE(da.images.front().caption, QStringLiteral("from a"));
        QCOMPARE(readFile(db.images.front().localPath), fakeImage('b', 100));
    }

    // Latin-1 names are not UTF-8; replacing the bad byte with U+FFFD made
    // both samples one key, and one was lost.
    void nonUtf8NamesStayDistinct()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("latin1.tar"));
        QVERIFY(writeTar(tar, {{"caf\xe9.jpg", fakeImage('e', 50), Member::File, {}},
                               {"caf\xe9.txt", "with e acute", Member::File, {}},
                               {"caf\xe8.jpg", fakeImage('g', 50), Member::File, {}},
                               {"caf\xe8.txt", "with e grave", Member::File, {}}}));
        const Collected c = readAll(tar, dir.filePath(QStringLiteral("extract")));
        QVERIFY(c.status.ok());
        QCOMPARE(c.errors(), QStringList());
        const auto docs = c.docs();
        QCOMPARE(docs.size(), size_t(2));
        QVERIFY(docs.at(0).key != docs.at(1).key);
        QVERIFY2(docs.at(0).key.endsWith(QLatin1String("/caf%E9")), qPrintable(docs.at(0).key));
        QCOMPARE(docs.at(0).images.front().caption, QStringLiteral("with e acute"));
        QCOMPARE(readFile(docs.at(1).images.front().localPath), fakeImage('g', 50));
        QVERIFY(docs.at(0).warnings.join(QLatin1Char('|')).contains(QLatin1String("not valid UTF-8")));
    }

    // Issue 11: a 10 KB tar with a sparse 8 GiB member went past 3 GB of
    // memory and aborted. A member over the limit is refused before reading.
    void oversizedAndSparseMembersAreRefused()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("big.tar"));
        QVERIFY(writeTar(tar, threeSamples()));
        const QString out = dir.filePath(QStringLiteral("extract"));
        Collected c;
        WdsLimits limits;
        limits.maxMemberBytes = 2000;
        WdsReader reader(tar, out, limits);
        c.status = reader.read([&](SourceItem &&item) {
            c.items.push_back(std::move(item));
            return true;
        });
        QVERIFY(c.status.ok());
        const auto docs = c.docs();
        QCOMPARE(docs.size(), size_t(3)); // the samples are kept, their images refused
        for (const Document &d : docs) {
            QCOMPARE(d.images.front().refusal, QStringLiteral("too_large"));
            QVERIFY(d.images.front().localPath.isEmpty());
            QVERIFY(d.warnings.join(QLatin1Char('|')).contains(QLatin1String("ingest.max_member_bytes")));
        }
        QCOMPARE(docs.at(1).images.front().caption, QStringLiteral("caption one")); // still in step after skipping

        // A pax sparse member that claims 8 GiB in a few KB of archive.
        const QString sparse = dir.filePath(QStringLiteral("sparse.tar"));
        archive *a = archive_write_new();
        archive_write_set_format_pax(a);
        QCOMPARE(archive_write_open_filename(a, QFile::encodeName(sparse).constData()), ARCHIVE_OK);
        archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, "000000000.jpg");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        const la_int64_t huge = 8LL * 1024 * 1024 * 1024;
        archive_entry_set_size(e, huge);
        archive_entry_sparse_add_entry(e, huge - 512, 512);
        QCOMPARE(archive_write_header(a, e), ARCHIVE_OK);
        const QByteArray tail(512, 'x');
        archive_write_data(a, tail.constData(), size_t(tail.size()));
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
        QVERIFY(QFileInfo(sparse).size() < 64 * 1024);
        QElapsedTimer clock;
        clock.start();
        const Collected s = readAll(sparse, out);
        QVERIFY(clock.elapsed() < 5000);
        QVERIFY(s.status.ok());
        QCOMPARE(s.docs().size(), size_t(1));
        QCOMPARE(s.docs().front().images.front().refusal, QStringLiteral("too_large"));
        QVERIFY(QDir(out + QLatin1Char('/') + WdsReader::shardId(sparse)).entryList(QDir::Files).isEmpty());
    }

    // Issue 11: a 1.5 MB gzip shard wrote 1.5 GB into media/. With the
    // default limits the read stops once the shard has inflated past the
    // slack at more than 100x, keeping what came before and writing nothing
    // more.
    void decompressionBombIsStopped()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("bomb.tar.gz"));
        std::vector<Member> members = threeSamples();
        const QByteArray zeros(8 * 1024 * 1024, '\0');
        for (int i = 0; i < 24; ++i) // 192 MiB of zeros in about 200 KB
            members.push_back({QByteArray("z") + QByteArray::number(i) + ".jpg", zeros, Member::File, {}});
        QVERIFY(writeTar(tar, members, /*gzip=*/true));
        QVERIFY(QFileInfo(tar).size() < 1024 * 1024);
        const QString out = dir.filePath(QStringLiteral("extract"));
        const Collected c = readAll(tar, out);
        QVERIFY(c.status.ok());
        QCOMPARE(c.docs().size(), size_t(3 + 7)); // the real samples and the zeros before the limit
        QCOMPARE(c.errors().size(), qsizetype(1));
        QVERIFY2(c.errors().front().contains(QLatin1String("ingest.max_expansion")), qPrintable(c.errors().front()));
        qint64 written = 0;
        for (const QFileInfo &f : QDir(out + QLatin1Char('/') + WdsReader::shardId(tar)).entryInfoList(QDir::Files))
            written += f.size();
        QVERIFY2(written <= WdsLimits{}.expansionSlackBytes, qPrintable(QString::number(written)));

        // The same shard uncompressed is no bomb: every member is read.
        const QString plain = dir.filePath(QStringLiteral("plain.tar"));
        QVERIFY(writeTar(plain, members));
        const Collected p = readAll(plain, out);
        QCOMPARE(p.errors(), QStringList());
        QCOMPARE(p.docs().size(), size_t(3 + 24));
    }

    void memberCountLimit()
    {
        QTemporaryDir dir;
        const QString tar = dir.filePath(QStringLiteral("many.tar"));
        QVERIFY(writeTar(tar, threeSamples()));
        WdsLimits limits;
        limits.maxMembers = 3;
        Collected c;
        WdsReader reader(tar, dir.filePath(QStringLiteral("x")), limits);
        c.status = reader.read([&](SourceItem &&item) {
            c.items.push_back(std::move(item));
            return true;
        });
        QVERIFY(c.status.ok());
        QCOMPARE(c.docs().size(), size_t(1)); // sample 1 was cut after its caption: dropped
        QCOMPARE(c.errors().size(), qsizetype(1));
        QVERIFY2(c.errors().front().contains(QLatin1String("ingest.max_tar_members (3)"))
                     && c.errors().front().contains(QLatin1String("000000001 dropped")),
                 qPrintable(c.errors().front()));
    }

    void shardNames_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("name");
        QTest::newRow("tar") << QStringLiteral("/d/00000.tar") << QStringLiteral("00000");
        QTest::newRow("tar.gz") << QStringLiteral("00012.tar.gz") << QStringLiteral("00012");
        QTest::newRow("tgz") << QStringLiteral("x/shard.TGZ") << QStringLiteral("shard");
        QTest::newRow("no suffix") << QStringLiteral("shard") << QStringLiteral("shard");
    }
    void shardNames()
    {
        QFETCH(QString, path);
        QFETCH(QString, name);
        QCOMPARE(WdsReader::shardName(path), name);
    }
};

QTEST_GUILESS_MAIN(TestWdsReader)
#include "test_wdsreader.moc"
