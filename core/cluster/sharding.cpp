#include "core/cluster/sharding.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

#include <cstring>

namespace rs {

namespace {

constexpr int kMaxShards = 100000;
const QString kManifestName = QStringLiteral("manifest.json");

// Jump consistent hash: walks the bucket "jumps" of a key's pseudo-random
// sequence; the last jump below `buckets` is the bucket.
int jumpHash(quint64 key, int buckets)
{
    qint64 b = -1, j = 0;
    while (j < buckets) {
        b = j;
        key = key * 2862933555777941757ULL + 1;
        j = qint64(double(b + 1) * (double(1LL << 31) / double((key >> 33) + 1)));
    }
    return int(b);
}

Result<QString> fileSha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("cannot read the shard store: ") + f.errorString(), path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&f))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot read the shard store: ") + f.errorString(), path);
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace

int shardOf(const QString &key, int shards)
{
    Q_ASSERT(shards >= 1);
    if (shards <= 1)
        return 0;
    const QByteArray digest = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256);
    quint64 k = 0;
    std::memcpy(&k, digest.constData(), sizeof k); // any 8 bytes of SHA-256 are uniform
    return jumpHash(k, shards);
}

Result<ShardSpec> ShardSpec::parse(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,6})/(\\d{1,6})$"));
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("a shard is given as i/N, e.g. 0/8"), text);
    ShardSpec s;
    s.index = m.captured(1).toInt();
    s.count = m.captured(2).toInt();
    if (s.count < 1 || s.count > kMaxShards)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the shard count must be in 1..%1").arg(kMaxShards), text);
    if (s.index >= s.count)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("shard index %1 is not below the count %2").arg(s.index).arg(s.count), text);
    return s;
}

QString ShardSpec::toString() const
{
    return QStringLiteral("%1/%2").arg(index).arg(count);
}

QString shardDir(const QString &projectDir, int index)
{
    return QDir(projectDir).filePath(QStringLiteral("shards/%1").arg(index));
}

QString shardDir(const QString &projectDir, int index, const QString &stage)
{
    return QDir(shardDir(projectDir, index)).filePath(stage);
}

QJsonObject ShardManifest::toJson() const
{
    return QJsonObject{{QStringLiteral("format"), kFormat},
                       {QStringLiteral("run_id"), runId},
                       {QStringLiteral("stage"), stage},
                       {QStringLiteral("shard"), index},
                       {QStringLiteral("shards"), count},
                       {QStringLiteral("fingerprint"), fingerprint},
                       {QStringLiteral("inputs"), inputs},
                       {QStringLiteral("items"), items},
                       {QStringLiteral("store"), store},
                       {QStringLiteral("store_sha256"), storeSha256}};
}

Result<ShardManifest> ShardManifest::fromJson(const QJsonObject &json)
{
    const auto bad = [](const QString &what) {
        return makeError(ErrorCode::ParseError, QStringLiteral("shard manifest: ") + what);
    };
    if (json.value(QStringLiteral("format")).toInt(-1) != kFormat)
        return bad(QStringLiteral("format %1 is not %2").arg(json.value(QStringLiteral("format")).toVariant().toString()).arg(kFormat));
    ShardManifest m;
    m.runId = json.value(QStringLiteral("run_id")).toString();
    m.stage = json.value(QStringLiteral("stage")).toString();
    m.index = json.value(QStringLiteral("shard")).toInt(-1);
    m.count = json.value(QStringLiteral("shards")).toInt(-1);
    m.fingerprint = json.value(QStringLiteral("fingerprint")).toString();
    m.inputs = json.value(QStringLiteral("inputs")).toString();
    m.items = qint64(json.value(QStringLiteral("items")).toDouble(-1));
    m.store = json.value(QStringLiteral("store")).toString();
    m.storeSha256 = json.value(QStringLiteral("store_sha256")).toString();
    if (m.stage.isEmpty() || m.runId.isEmpty())
        return bad(QStringLiteral("no run id or stage"));
    if (m.count < 1 || m.index < 0 || m.index >= m.count)
        return bad(QStringLiteral("shard %1 of %2 is not a shard").arg(m.index).arg(m.count));
    if (m.items < 0)
        return bad(QStringLiteral("no item count"));
    // The store is a plain file name inside the shard folder, never a path.
    if (m.store.isEmpty() || m.store.contains(QLatin1Char('/')) || m.store.contains(QLatin1Char('\\')) || m.store.startsWith(QLatin1Char('.')))
        return bad(QStringLiteral("store \"%1\" is not a file name").arg(m.store));
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    if (!hex.match(m.storeSha256).hasMatch())
        return bad(QStringLiteral("store_sha256 is not a SHA-256"));
    return m;
}

Status ShardManifest::write(const QString &dir)
{
    auto sha = fileSha256(QDir(dir).filePath(store));
    if (!sha)
        return sha.error();
    storeSha256 = *sha;
    QSaveFile out(QDir(dir).filePath(kManifestName));
    if (!out.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot write the shard manifest: ") + out.errorString(), out.fileName());
    out.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!out.commit())
        return makeError(ErrorCode::IoError, QStringLiteral("cannot write the shard manifest: ") + out.errorString(), out.fileName());
    return {};
}

Result<ShardManifest> ShardManifest::read(const QString &dir, const ShardSpec &expected)
{
    const QString path = QDir(dir).filePath(kManifestName);
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("shard %1 has no manifest: it has not finished").arg(expected.toString()), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, f.errorString(), path);
    // A manifest is a few hundred bytes; anything far larger is not one.
    const QByteArray bytes = f.read(64 * 1024);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(ErrorCode::ParseError, QStringLiteral("shard manifest is not a JSON object: ") + err.errorString(), path);
    auto m = fromJson(doc.object());
    if (!m)
        return makeError(m.error().code, m.error().message, path);
    if (m->index != expected.index || m->count != expected.count)
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("manifest is for shard %1/%2, expected %3").arg(m->index).arg(m->count).arg(expected.toString()), path);
    auto sha = fileSha256(QDir(dir).filePath(m->store));
    if (!sha)
        return makeError(ErrorCode::Conflict, QStringLiteral("the store the manifest names is missing: ") + sha.error().message, path);
    if (*sha != m->storeSha256)
        return makeError(ErrorCode::Conflict, QStringLiteral("the shard store changed after its manifest was written"), path);
    return m;
}

} // namespace rs
