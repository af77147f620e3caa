#include "core/ingest/wdsreader.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>
#include <QSet>
#include <QStringDecoder>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>

namespace rs {

namespace {

// .txt / .json members are read whole; anything larger is not a caption.
constexpr qint64 kMaxTextMemberBytes = 16 * 1024 * 1024;
constexpr size_t kOpenBlockBytes = 64 * 1024;

struct ArchiveFree {
    void operator()(archive *a) const { archive_read_free(a); }
};

bool isImageExtension(const QString &ext)
{
    return ext == QLatin1String("jpg") || ext == QLatin1String("jpeg") || ext == QLatin1String("png")
        || ext == QLatin1String("webp");
}

QString entryKindName(archive_entry *entry)
{
    if (archive_entry_hardlink(entry))
        return QStringLiteral("hardlink");
    switch (archive_entry_filetype(entry)) {
    case AE_IFLNK: return QStringLiteral("symlink");
    case AE_IFDIR: return QStringLiteral("directory");
    case AE_IFCHR:
    case AE_IFBLK: return QStringLiteral("device");
    case AE_IFIFO: return QStringLiteral("fifo");
    case AE_IFSOCK: return QStringLiteral("socket");
    default: return QStringLiteral("special file");
    }
}

QString archiveMessage(archive *a)
{
    const char *msg = archive_error_string(a);
    return msg ? QString::fromUtf8(msg) : QStringLiteral("unknown archive error");
}

// The members seen so far for one key.
struct Sample {
    QString key;
    QStringList extensions;
    bool hasImage = false;
    ImageRef image;
    std::optional<QString> text;
    QJsonObject json;
    QStringList warnings;
};

// A member name as text. Valid UTF-8 is taken as is; otherwise every byte of
// an invalid sequence becomes %XX, so distinct byte strings stay distinct
// (U+FFFD replacement would merge them) and the name is safe as a file name.
QString memberName(const char *raw, bool *escaped)
{
    const QByteArray bytes(raw);
    QStringDecoder strict(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = strict.decode(bytes);
    *escaped = strict.hasError();
    if (!*escaped)
        return text;
    QString out;
    for (qsizetype i = 0; i < bytes.size();) {
        // Length of the valid UTF-8 sequence starting at i, or 0.
        const uchar c = uchar(bytes[i]);
        int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n > 1) {
            QStringDecoder one(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
            const QString piece = one.decode(bytes.mid(i, n));
            if (one.hasError() || i + n > bytes.size())
                n = 0;
            else
                out += piece;
        } else if (n == 1) {
            out += QLatin1Char(char(c));
        }
        if (n == 0) {
            out += QStringLiteral("%%1").arg(uint(c), 2, 16, QLatin1Char('0')).toUpper();
            n = 1;
        }
        i += n;
    }
    return out;
}

} // namespace

WdsReader::WdsReader(const QString &tarPath, const QString &extractDir, WdsLimits limits)
    : m_path(tarPath), m_extractDir(extractDir), m_limits(limits)
{
}

QString WdsReader::shardId(const QString &tarPath)
{
    const QFileInfo info(tarPath);
    const QString canonical = info.canonicalFilePath().isEmpty() ? info.absoluteFilePath() : info.canonicalFilePath();
    const QByteArray hash = QCryptographicHash::hash(canonical.toUtf8(), QCryptographicHash::Sha1).toHex().left(8);
    return shardName(tarPath) + QLatin1Char('-') + QString::fromLatin1(hash);
}

QString WdsReader::shardName(const QString &tarPath)
{
    QString name = QFileInfo(tarPath).fileName();
    for (const QLatin1String suffix : {QLatin1String(".tar.gz"), QLatin1String(".tgz"), QLatin1String(".tar.bz2"),
                                       QLatin1String(".tar.xz"), QLatin1String(".tar.zst"), QLatin1String(".tar")}) {
        if (name.endsWith(suffix, Qt::CaseInsensitive) && name.size() > suffix.size()) {
            name.chop(suffix.size());
            break;
        }
    }
    return name;
}

Status WdsReader::read(const SourceSink &sink, const std::atomic<bool> *cancel)
{
    const QFileInfo shardInfo(m_path);
    if (!shardInfo.isFile())
        return makeError(ErrorCode::NotFound, QStringLiteral("no such shard file"), m_path);
    if (m_extractDir.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no extract folder given"), m_path);

    const QString shard = shardId(m_path);
    const QString shardFile = shardInfo.fileName();
    const QString sourcePath = shardInfo.absoluteFilePath();
    const QString outDir = QDir(m_extractDir).absoluteFilePath(shard);
    if (!QDir().mkpath(outDir))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot create extract folder"), outDir);
    const QString outPrefix = QFileInfo(outDir).canonicalFilePath() + QLatin1Char('/');

    std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), QFile::encodeName(m_path).constData(), kOpenBlockBytes) != ARCHIVE_OK)
        return makeError(ErrorCode::ParseError,
                         QStringLiteral("not a readable tar archive: %1").arg(archiveMessage(a.get())), m_path);

    bool stopped = false; // the sink asked to stop
    QString archiveError;
    bool errorInData = false; // the archive broke inside a member, not between members
    qint64 members = 0;
    std::optional<Sample> pending;
    QSet<QString> finishedKeys;

    // Set when a shard limit stops the read; what was read so far is kept.
    QString limitStop;
    // Compares what the filters inflated with what was read from disk. For
    // an uncompressed tar both are the same count.
    auto checkExpansion = [&]() {
        const la_int64_t raw = std::max<la_int64_t>(archive_filter_bytes(a.get(), -1), 1);
        const la_int64_t inflated = archive_filter_bytes(a.get(), 0);
        if (inflated <= m_limits.expansionSlackBytes || double(inflated) <= m_limits.maxExpansion * double(raw))
            return true;
        limitStop = QStringLiteral("shard inflates to %1 bytes from %2 compressed, over ingest.max_expansion (%3x): "
                                   "a decompression bomb? the rest is not read")
                        .arg(inflated)
                        .arg(raw)
                        .arg(m_limits.maxExpansion);
        return false;
    };

    auto emitError = [&](const QString &where, const QString &message) {
        if (!sink(SourceItem{shardFile + QLatin1Char(':') + where, std::nullopt, message}))
            stopped = true;
    };

    auto flush = [&]() {
        if (!pending)
            return;
        Sample s = std::move(*pending);
        pending.reset();
        finishedKeys.insert(s.key);
        if (!s.hasImage) {
            emitError(s.key, QStringLiteral("sample %1 has no image member (has .%2)")
                                 .arg(s.key, s.extensions.join(QStringLiteral(", ."))));
            return;
        }
        Document doc;
        doc.key = QStringLiteral("wds:") + shard + QLatin1Char('/') + s.key;
        doc.sourcePath = sourcePath;
        doc.encoding = QStringLiteral("UTF-8");
        doc.warnings = std::move(s.warnings);
        doc.url = s.json.value(QLatin1String("url")).toString();
        for (auto it = s.json.constBegin(); it != s.json.constEnd(); ++it) {
            const QString field = it.key().toLower();
            if ((field == QLatin1String("license") || field == QLatin1String("licence")) && it.value().isString()
                && !it.value().toString().isEmpty()) {
                doc.license = it.value().toString();
                break;
            }
        }
        const QJsonValue jsonKey = s.json.value(QLatin1String("key"));
        const QString keyBase = s.key.mid(s.key.lastIndexOf(QLatin1Char('/')) + 1);
        if (jsonKey.isString() && jsonKey.toString() != keyBase)
            doc.warnings << QStringLiteral("json key \"%1\" differs from the member key \"%2\"")
                                .arg(jsonKey.toString(), keyBase);

        QString caption = s.text.value_or(QString());
        if (caption.isEmpty())
            caption = s.json.value(QLatin1String("caption")).toString().simplified();
        if (caption.isEmpty())
            doc.warnings << QStringLiteral("sample has no caption");
        s.image.caption = caption;
        s.image.position = 0;
        doc.images.push_back(std::move(s.image));
        if (!caption.isEmpty())
            doc.blocks.push_back(TextBlock{caption, BlockKind::Caption, 1});
        if (!sink(SourceItem{shardFile + QLatin1Char(':') + s.key, std::move(doc), {}}))
            stopped = true;
    };

    // Reads the current member's data whole (text members); false on an archive error.
    auto readSmall = [&](archive_entry *entry, QByteArray &out, bool &tooBig) {
        tooBig = archive_entry_size_is_set(entry) && archive_entry_size(entry) > kMaxTextMemberBytes;
        if (tooBig)
            return true; // libarchive skips unread data at the next header
        char buf[16 * 1024];
        for (;;) {
            const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
            if (n < 0)
                return false;
            if (n == 0)
                return true;
            if (out.size() + n > kMaxTextMemberBytes) {
                tooBig = true;
                out.clear();
                return true;
            }
            out.append(buf, n);
        }
    };

    // Copies the current member's data to dest; sets image.localPath or a refusal.
    // Returns false on an archive (not a disk) error.
    auto extractImage = [&](const QString &dest, ImageRef &image, QStringList &warnings) {
        bool tooLarge = false;
        QSaveFile out(dest);
        const bool writable = QDir().mkpath(QFileInfo(dest).absolutePath()) && out.open(QIODevice::WriteOnly);
        bool writeOk = writable;
        const void *block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        for (;;) {
            const int r = archive_read_data_block(a.get(), &block, &size, &offset);
            if (r == ARCHIVE_EOF)
                break;
            if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
                out.cancelWriting();
                return false;
            }
            if (!checkExpansion()) {
                out.cancelWriting();
                image.refusal = QStringLiteral("too_large");
                return true;
            }
            if (!writeOk)
                continue; // keep draining so the archive stays in step
            // Sparse members report holes through offset; fill them with
            // zeros a block at a time (never one buffer of the hole's size).
            // The declared size bounds this, but a header may lie: stop at
            // the limit either way.
            if (offset + la_int64_t(size) > m_limits.maxMemberBytes) {
                out.cancelWriting();
                writeOk = false;
                tooLarge = true;
                continue;
            }
            static const QByteArray zeros(64 * 1024, '\0');
            while (writeOk && offset > out.pos())
                writeOk = out.write(zeros.constData(), std::min<qint64>(zeros.size(), offset - out.pos())) > 0;
            if (writeOk && size > 0)
                writeOk = out.write(static_cast<const char *>(block), qint64(size)) == qint64(size);
        }
        if (tooLarge) {
            image.refusal = QStringLiteral("too_large");
            warnings << QStringLiteral("image member %1 grew past ingest.max_member_bytes (%2) while read; not kept")
                            .arg(image.src)
                            .arg(m_limits.maxMemberBytes);
        } else if (writeOk && out.commit()) {
            image.localPath = QFileInfo(dest).canonicalFilePath();
        } else {
            out.cancelWriting();
            image.refusal = QStringLiteral("missing_file");
            warnings << QStringLiteral("could not write %1: %2").arg(dest, out.errorString());
        }
        return true;
    };

    for (;;) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return makeError(ErrorCode::Canceled, QStringLiteral("canceled after %1 members").arg(members), m_path);
        if (stopped)
            return {};

        archive_entry *entry = nullptr;
        const int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) { // RETRY (a damaged header) counts too
            archiveError = archiveMessage(a.get());
            break;
        }
        ++members;
        if (members > m_limits.maxMembers) {
            limitStop = QStringLiteral("shard has more than ingest.max_tar_members (%1) members; the rest is not read")
                            .arg(m_limits.maxMembers);
            break;
        }
        if (!checkExpansion())
            break;

        const char *rawName = archive_entry_pathname_utf8(entry);
        if (!rawName)
            rawName = archive_entry_pathname(entry); // bytes as stored, when they are not text in any known charset
        bool escaped = false;
        QString name = rawName ? memberName(rawName, &escaped) : QString();
        while (name.startsWith(QLatin1String("./")))
            name.remove(0, 2);
        if (archive_entry_filetype(entry) == AE_IFDIR)
            continue;
        if (name.isEmpty()) {
            emitError(QStringLiteral("#%1").arg(members), QStringLiteral("member %1 has no name").arg(members));
            continue;
        }
        if (name.startsWith(QLatin1Char('/')) || name.split(QLatin1Char('/')).contains(QLatin1String(".."))) {
            emitError(name, QStringLiteral("unsafe member path %1 (absolute or with \"..\"); skipped").arg(name));
            continue;
        }

        const qsizetype slash = name.lastIndexOf(QLatin1Char('/'));
        const QString base = name.mid(slash + 1);
        if (base.startsWith(QLatin1Char('.')))
            continue; // hidden files such as macOS "._x" resource forks
        const qsizetype dot = base.indexOf(QLatin1Char('.'));
        const QString key = dot < 0 ? name : name.left(slash + 1 + dot);
        const QString ext = dot < 0 ? QString() : base.mid(dot + 1).toLower();

        if (pending && pending->key != key) {
            flush();
            if (stopped)
                return {};
        }
        if (finishedKeys.contains(key)) {
            emitError(name, QStringLiteral("member %1 belongs to sample %2, which ended earlier; members of a "
                                           "sample must be consecutive; skipped")
                                .arg(name, key));
            continue;
        }
        if (!pending) {
            pending.emplace();
            pending->key = key;
        }
        Sample &s = *pending;
        s.extensions << ext;
        if (escaped)
            s.warnings << QStringLiteral("member name %1 is not valid UTF-8; bad bytes kept as %XX").arg(name);

        const bool regular = archive_entry_filetype(entry) == AE_IFREG && !archive_entry_hardlink(entry);
        if (isImageExtension(ext)) {
            if (s.hasImage) {
                s.warnings << QStringLiteral("second image member %1 ignored").arg(name);
                continue;
            }
            s.hasImage = true;
            s.image.src = name;
            if (!regular) {
                s.image.refusal = QStringLiteral("outside_corpus");
                s.warnings << QStringLiteral("image member %1 is a %2; not followed").arg(name, entryKindName(entry));
                continue;
            }
            // Checked before reading: a sparse member's size counts its holes,
            // which would otherwise be written out as zeros.
            if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > m_limits.maxMemberBytes) {
                s.image.refusal = QStringLiteral("too_large");
                s.warnings << QStringLiteral("image member %1 is %2 bytes, over ingest.max_member_bytes (%3); not read")
                                  .arg(name)
                                  .arg(archive_entry_size(entry))
                                  .arg(m_limits.maxMemberBytes);
                continue; // libarchive skips unread data at the next header
            }
            const QString dest = QDir::cleanPath(outPrefix + name);
            if (!dest.startsWith(outPrefix)) { // cannot happen after the checks above; kept as a guard
                s.image.refusal = QStringLiteral("outside_corpus");
                continue;
            }
            if (!extractImage(dest, s.image, s.warnings)) {
                archiveError = archiveMessage(a.get());
                errorInData = true;
                break;
            }
            if (!limitStop.isEmpty())
                break;
        } else if (ext == QLatin1String("txt") || ext == QLatin1String("json")) {
            if (!regular) {
                s.warnings << QStringLiteral("member %1 is a %2; ignored").arg(name, entryKindName(entry));
                continue;
            }
            QByteArray data;
            bool tooBig = false;
            if (!readSmall(entry, data, tooBig)) {
                archiveError = archiveMessage(a.get());
                errorInData = true;
                break;
            }
            if (tooBig) {
                s.warnings << QStringLiteral("member %1 is larger than %2 bytes; ignored").arg(name).arg(kMaxTextMemberBytes);
                continue;
            }
            if (ext == QLatin1String("txt")) {
                QStringDecoder decoder(QStringDecoder::Utf8);
                const QString text = decoder.decode(data);
                if (decoder.hasError())
                    s.warnings << QStringLiteral("%1 is not valid UTF-8; bad bytes replaced").arg(name);
                s.text = text.simplified();
            } else {
                QJsonParseError err;
                const QJsonDocument json = QJsonDocument::fromJson(data, &err);
                if (err.error != QJsonParseError::NoError)
                    s.warnings << QStringLiteral("%1: invalid JSON (%2 at offset %3); ignored")
                                      .arg(name, err.errorString())
                                      .arg(err.offset);
                else if (!json.isObject())
                    s.warnings << QStringLiteral("%1 is not a JSON object; ignored").arg(name);
                else
                    s.json = json.object();
            }
        }
        // Other members (.cls, .npy, ...) belong to the sample but carry nothing we read.
    }

    if (!limitStop.isEmpty()) {
        // The sample in progress may lack members that come after the stop.
        QString where = QStringLiteral("#%1").arg(members);
        if (pending) {
            limitStop += QStringLiteral("; incomplete sample %1 dropped").arg(pending->key);
            where = pending->key;
            if (!pending->image.localPath.isEmpty())
                QFile::remove(pending->image.localPath); // nothing refers to it
            pending.reset();
        }
        emitError(where, limitStop);
        return {};
    }
    if (!archiveError.isEmpty()) {
        QString message = QStringLiteral("archive error after %1 members: %2").arg(members).arg(archiveError);
        QString where = QStringLiteral("#%1").arg(members);
        if (pending && (errorInData || !pending->hasImage)) {
            // A member was cut short, or the image may have been the part
            // lost: the sample is incomplete, and the archive error says why.
            message += QStringLiteral("; incomplete sample %1 dropped").arg(pending->key);
            where = pending->key;
            pending.reset();
        } else {
            // Broken between members and the image is whole: keep the sample,
            // though a caption member of it may have followed.
            flush();
            if (stopped)
                return {};
        }
        emitError(where, message);
        return {};
    }
    flush();
    return {};
}

} // namespace rs
