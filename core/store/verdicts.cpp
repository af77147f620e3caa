#include "core/store/verdicts.h"

#include "core/store/nativestatement.h"
#include "core/store/projectstore.h"
#include "core/store/reasons.h"

#include <QMap>

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include <QCryptographicHash>

namespace rs {

namespace {

QString tableName(VerdictTable table)
{
    return table == VerdictTable::Images ? QStringLiteral("images") : QStringLiteral("sentences");
}

QString metaKey(VerdictTable table, const QString &decider)
{
    return QStringLiteral("verdicts.%1.%2").arg(tableName(table), decider);
}

ReasonTable reasonTable(VerdictTable table)
{
    return table == VerdictTable::Images ? ReasonTable::Images : ReasonTable::Sentences;
}

// The stage that decides a reason, from the registry; codes not in it are
// probe failures and refusals, which extract records.
QString deciderOf(VerdictTable table, const QString &reason)
{
    for (const ReasonDef &d : reasonDefs(reasonTable(table)))
        if (d.code == reason)
            return d.stage;
    return QStringLiteral("extract");
}

QStringList decidersOf(VerdictTable table)
{
    QStringList out;
    for (const ReasonDef &d : reasonDefs(reasonTable(table)))
        if (!out.contains(d.stage))
            out.push_back(d.stage);
    return out;
}

// One digest per deciding stage, over the rows it refused: a stage that
// reads verdicts depends only on those of the stages before it.
QMap<QString, QString> digestsOf(VerdictTable table, const QVector<Verdict> &verdicts)
{
    QMap<QString, std::shared_ptr<QCryptographicHash>> hashes;
    for (const QString &d : decidersOf(table))
        hashes.insert(d, std::make_shared<QCryptographicHash>(QCryptographicHash::Sha1));
    // Each distinct reason once: its UTF-8 and its stage's hash. A table has
    // a handful of reasons over tens of thousands of refused rows, and
    // building each row's line from fresh strings (and looking its stage up
    // in the registry) cost five allocations a row, on every threshold change.
    struct Reason {
        QString code;
        QByteArray utf8;
        QCryptographicHash *hash;
    };
    std::vector<Reason> reasons;
    std::string line; // "<id>:<reason>:<duplicate_of>;", the bytes hashed since digests exist
    for (const Verdict &v : verdicts) {
        if (v.reason.isEmpty())
            continue; // kept rows add nothing: ingest adds them without touching a digest
        auto reason = std::find_if(reasons.begin(), reasons.end(), [&](const Reason &r) { return r.code == v.reason; });
        if (reason == reasons.end()) {
            auto &h = hashes[deciderOf(table, v.reason)];
            if (!h)
                h = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha1);
            reasons.push_back({v.reason, v.reason.toUtf8(), h.get()});
            reason = reasons.end() - 1;
        }
        char number[24];
        line.clear();
        line.append(number, std::to_chars(number, number + sizeof number, v.id).ptr);
        line += ':';
        line.append(reason->utf8.constData(), size_t(reason->utf8.size()));
        line += ':';
        line.append(number, std::to_chars(number, number + sizeof number, v.duplicateOf).ptr);
        line += ';';
        reason->hash->addData(QByteArrayView(line.data(), qsizetype(line.size())));
    }
    QMap<QString, QString> out;
    for (auto it = hashes.cbegin(); it != hashes.cend(); ++it)
        out.insert(it.key(), QString::fromLatin1(it.value()->result().toHex().left(16)));
    return out;
}

QString decidedFromKey(VerdictTable table)
{
    return QStringLiteral("verdicts.%1.decided_from").arg(tableName(table));
}

// The digests of `verdicts` (every row, or only the refused ones: kept rows
// add nothing), in meta; the table's decidedFrom record is forgotten, since
// its verdicts are being written. Inside the caller's transaction.
Status recordDigests(ProjectStore &store, VerdictTable table, const QVector<Verdict> &verdicts)
{
    const QMap<QString, QString> digests = digestsOf(table, verdicts);
    for (auto it = digests.cbegin(); it != digests.cend(); ++it)
        if (Status s = store.setMeta(metaKey(table, it.key()), it.value()); !s)
            return s;
    return recordVerdictsDecidedFrom(store, table, QString());
}

// Read and written natively: extract rewrites the verdicts of every
// sentence, and a QVariant per column was most of that.
Result<QVector<Verdict>> readVerdicts(ProjectStore &store, VerdictTable table)
{
    const QByteArray sql = QStringLiteral("SELECT id, reject_reason, duplicate_of FROM %1 ORDER BY id").arg(tableName(table)).toUtf8();
    auto q = NativeStatement::prepare(store, sql.constData());
    if (!q)
        return q.error();
    StoredVerdicts stored;
    const Status read = q->forEachRow([&]() -> Status {
        stored.add(q->int64(0), q->utf8(1), q->int64(2));
        return {};
    });
    if (!read)
        return read.error();
    return std::move(stored.rows);
}

} // namespace

void StoredVerdicts::add(qint64 id, QByteArrayView reason, qint64 duplicateOf)
{
    QString code;
    if (!reason.isEmpty()) {
        // A handful of codes: a scan, with no key to build for each row.
        auto it = std::find_if(m_reasons.cbegin(), m_reasons.cend(), [&](const auto &r) { return r.first == reason; });
        if (it == m_reasons.cend())
            it = m_reasons.insert(m_reasons.cend(), {reason.toByteArray(), QString::fromUtf8(reason)});
        code = it->second;
    }
    rows.push_back({id, code, duplicateOf});
}

Status writeVerdicts(ProjectStore &store, VerdictTable table, const QVector<Verdict> &verdicts)
{
    auto stored = readVerdicts(store, table);
    if (!stored)
        return stored.error();
    return writeVerdicts(store, table, verdicts, *stored);
}

Status writeVerdicts(ProjectStore &store, VerdictTable table, const QVector<Verdict> &verdicts, const QVector<Verdict> &stored)
{
    Transaction tx(store);
    const QByteArray sql = QStringLiteral("UPDATE %1 SET reject_reason = ?, duplicate_of = ? WHERE id = ?").arg(tableName(table)).toUtf8();
    auto update = NativeStatement::prepare(store, sql.constData());
    if (!update)
        return update.error();
    // Both lists are in id order: walk them together and touch only changes.
    qsizetype c = 0;
    for (const Verdict &v : verdicts) {
        while (c < stored.size() && stored[c].id < v.id)
            ++c;
        if (c < stored.size() && stored[c].id == v.id && stored[c].reason == v.reason && stored[c].duplicateOf == v.duplicateOf)
            continue;
        update->bind(0, v.reason.isEmpty() ? QString() : v.reason);
        if (v.duplicateOf)
            update->bind(1, v.duplicateOf);
        else
            update->bindNull(1);
        update->bind(2, v.id);
        if (Status s = update->exec(); !s)
            return s;
    }
    if (Status s = recordDigests(store, table, verdicts); !s)
        return s;
    return tx.commit();
}

Status recordVerdictDigests(ProjectStore &store, VerdictTable table, const QVector<Verdict> &refused)
{
    Transaction tx(store);
    if (Status s = recordDigests(store, table, refused); !s)
        return s;
    return tx.commit();
}

QString verdictsDecidedFrom(ProjectStore &store, VerdictTable table)
{
    return store.meta(decidedFromKey(table));
}

Status recordVerdictsDecidedFrom(ProjectStore &store, VerdictTable table, const QString &decidedFrom)
{
    if (!decidedFrom.isEmpty())
        return store.setMeta(decidedFromKey(table), decidedFrom);
    auto forget = store.exec(QStringLiteral("DELETE FROM meta WHERE key = ?"), {decidedFromKey(table)});
    if (!forget)
        return forget.error();
    return {};
}

Result<QString> verdictDigest(ProjectStore &store, const QStringList &deciders)
{
    QString out;
    for (VerdictTable table : {VerdictTable::Images, VerdictTable::Sentences}) {
        QMap<QString, QString> digests;
        for (const QString &d : decidersOf(table))
            if (deciders.contains(d))
                digests.insert(d, store.meta(metaKey(table, d)));
        bool complete = true;
        for (const QString &v : std::as_const(digests))
            complete &= !v.isEmpty();
        if (!complete) { // written before digests existed: read the table
            auto rows = readVerdicts(store, table);
            if (!rows)
                return rows.error();
            const QMap<QString, QString> all = digestsOf(table, *rows);
            for (auto it = digests.begin(); it != digests.end(); ++it)
                it.value() = all.value(it.key());
        }
        for (auto it = digests.cbegin(); it != digests.cend(); ++it)
            out += tableName(table) + QLatin1Char('.') + it.key() + QLatin1Char('=') + it.value() + QLatin1Char(';');
    }
    return out;
}

} // namespace rs
