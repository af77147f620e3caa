#include "ui/models/issuelogmodel.h"

#include "core/store/projectstore.h"

#include <QBrush>
#include <QColor>

#include <limits>

namespace rs {

IssueLogModel::IssueLogModel(QObject *parent) : QAbstractTableModel(parent) {}

void IssueLogModel::setStore(ProjectStore *store)
{
    m_store = store;
    beginResetModel();
    m_rows.clear();
    endResetModel();
    reload();
}

void IssueLogModel::reload()
{
    beginResetModel();
    QVector<Entry> live;
    for (const Entry &e : std::as_const(m_rows))
        if (e.live)
            live.push_back(e);
    m_rows = live;
    m_storedTotal = 0; // canFetchMore() stays false until the reset is over
    m_storedLoaded = 0;
    m_lastId = -1;
    endResetModel();
    if (m_store)
        if (auto n = m_store->scalar(QStringLiteral("SELECT count(*) FROM issues")))
            m_storedTotal = n->toLongLong();
    if (canFetchMore({}))
        fetchMore({});
}

void IssueLogModel::addLive(const QString &stage, const QVector<JobIssue> &issues)
{
    if (issues.isEmpty())
        return;
    beginInsertRows({}, 0, int(issues.size()) - 1);
    QVector<Entry> fresh;
    fresh.reserve(issues.size());
    for (auto it = issues.crbegin(); it != issues.crend(); ++it) {
        Entry e;
        e.severity = it->severity == Severity::Error ? QStringLiteral("error")
                     : it->severity == Severity::Info ? QStringLiteral("info")
                                                      : QStringLiteral("warning");
        e.stage = stage;
        e.itemId = it->itemId;
        e.itemKind = it->itemId >= 0 ? QStringLiteral("image") : QString();
        e.text = it->text;
        e.context = it->context;
        e.live = true;
        fresh.push_back(e);
    }
    m_rows = fresh + m_rows;
    endInsertRows();
}

int IssueLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int IssueLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool IssueLogModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_store && !m_fetching && m_storedLoaded < m_storedTotal;
}

void IssueLogModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    auto q = m_store->exec(QStringLiteral("SELECT id, severity, stage, item_kind, item_id, text, context FROM issues"
                                          " WHERE id < ? ORDER BY id DESC LIMIT %1")
                               .arg(kPageSize),
                           {m_lastId < 0 ? std::numeric_limits<qint64>::max() : m_lastId});
    QVector<Entry> page;
    if (q) {
        while (q->next()) {
            Entry e;
            m_lastId = q->value(0).toLongLong();
            e.severity = q->value(1).toString();
            e.stage = q->value(2).toString();
            e.itemKind = q->value(3).toString();
            e.itemId = q->value(4).isNull() ? -1 : q->value(4).toLongLong();
            e.text = q->value(5).toString();
            e.context = q->value(6).toString();
            page.push_back(e);
        }
    }
    if (page.isEmpty()) {
        m_storedTotal = m_storedLoaded; // the table shrank under us
        return;
    }
    // Views (and QAbstractItemModelTester) may ask for more from inside the
    // insert notification; one page at a time.
    m_fetching = true;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page.size()) - 1);
    m_rows += page;
    m_storedLoaded += page.size();
    endInsertRows();
    m_fetching = false;
}

QVariant IssueLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Entry &e = m_rows[index.row()];
    if (role == ImageIdRole)
        return e.itemKind == QLatin1String("image") ? e.itemId : qint64(-1);
    if (role == Qt::ToolTipRole)
        return e.context.isEmpty() ? e.text : e.context + QStringLiteral("\n") + e.text;
    if (role == Qt::ForegroundRole && index.column() == SeverityColumn)
        return e.severity == QLatin1String("error") ? QBrush(Qt::red)
               : e.severity == QLatin1String("warning") ? QBrush(QColor(0xb0, 0x70, 0x00))
                                                        : QVariant();
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case SeverityColumn: return e.live ? e.severity + QStringLiteral(" •") : e.severity;
    case StageColumn: return e.stage;
    case ItemColumn: return e.itemId >= 0 ? QStringLiteral("%1 #%2").arg(e.itemKind.isEmpty() ? QStringLiteral("item") : e.itemKind).arg(e.itemId) : QString();
    case TextColumn: return e.context.isEmpty() ? e.text : e.text + QStringLiteral(" (") + e.context + QStringLiteral(")");
    default: break;
    }
    return {};
}

QVariant IssueLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SeverityColumn: return QStringLiteral("Severity");
    case StageColumn: return QStringLiteral("Stage");
    case ItemColumn: return QStringLiteral("Item");
    case TextColumn: return QStringLiteral("Issue");
    default: break;
    }
    return {};
}

} // namespace rs
