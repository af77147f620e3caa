#include "ui/models/samplelistmodel.h"

#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/store/samplequery.h"
#include "ui/models/thumbnailcache.h"

#include <QBrush>
#include <QColor>
#include <QFutureWatcher>
#include <QIcon>
#include <QPainter>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rs {

namespace {

QPixmap placeholder(const QColor &color, const QString &text)
{
    QPixmap p(ThumbnailCache::kSide, ThumbnailCache::kSide * 3 / 4);
    p.fill(QColor(0xee, 0xee, 0xee));
    QPainter painter(&p);
    painter.setPen(color);
    painter.drawRect(p.rect().adjusted(0, 0, -1, -1));
    painter.drawText(p.rect(), Qt::AlignCenter | Qt::TextWordWrap, text);
    return p;
}

// A small label in the thumbnail's top-left corner, readable on any image.
QPixmap withBadge(QPixmap pix, const QString &text, const QColor &color)
{
    QPainter painter(&pix);
    painter.setRenderHint(QPainter::Antialiasing);
    QFont font = painter.font();
    font.setPixelSize(11);
    font.setBold(true);
    painter.setFont(font);
    const QFontMetrics fm(font);
    const QRect box(4, 4, fm.horizontalAdvance(text) + 8, fm.height() + 2);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(box, 4, 4);
    painter.setPen(Qt::white);
    painter.drawText(box, Qt::AlignCenter, text);
    return pix;
}

} // namespace

SampleListModel::SampleListModel(QObject *parent) : QAbstractListModel(parent)
{
    m_pages.setMaxCost(64);
}

SampleListModel::~SampleListModel() = default;

void SampleListModel::setStore(ProjectStore *store)
{
    m_store = store;
    m_searchIds.reset();
    m_searchText.clear();
    refreshRows();
}

void SampleListModel::setThumbnails(ThumbnailCache *cache)
{
    if (m_thumbs)
        disconnect(m_thumbs, nullptr, this, nullptr);
    m_thumbs = cache;
    if (m_thumbs) {
        connect(m_thumbs, &ThumbnailCache::ready, this, &SampleListModel::onThumbnail);
        connect(m_thumbs, &ThumbnailCache::failed, this, [this](qint64 id, const QString &) { onThumbnail(id); });
    }
}

void SampleListModel::setData(std::shared_ptr<const LiveDecisions> live, std::shared_ptr<const std::vector<quint8>> codes)
{
    m_live = std::move(live);
    m_codes = std::move(codes);
    m_reasonNames = m_live ? m_live->reasonNames(LiveDecisions::Table::Images) : QStringList();
    rebuild();
}

void SampleListModel::setFilter(Filter filter)
{
    m_filter = filter;
    rebuild();
}

void SampleListModel::setSort(Sort sort, Qt::SortOrder order)
{
    m_sort = sort;
    m_order = order;
    rebuild();
}

void SampleListModel::setCluster(int cluster)
{
    m_cluster = cluster;
    rebuild();
}

void SampleListModel::setReason(const QString &reason)
{
    m_reason = reason;
    rebuild();
}

void SampleListModel::setDecisionFilter(Decision decision)
{
    m_decision = decision;
    rebuild();
}

void SampleListModel::setFeatureFilter(Feature feature)
{
    m_feature = feature;
    rebuild();
}

void SampleListModel::setScoreRange(Sort score, double min, double max)
{
    m_rangeScore = score;
    m_rangeMin = min;
    m_rangeMax = max;
    rebuild();
}

double SampleListModel::scoreOf(const LiveDecisions::ImageColumns &im, Sort score, size_t i)
{
    switch (score) {
    case Sort::ShorterSide: return std::min(im.width[i], im.height[i]);
    case Sort::Pixels: return double(im.width[i]) * im.height[i];
    case Sort::Aspect: return double(std::max(im.width[i], im.height[i])) / std::max(1, std::min(im.width[i], im.height[i]));
    case Sort::Similarity: return im.similarity[i];
    case Sort::ClusterScore: return im.clusterScore[i];
    case Sort::Cluster: return im.cluster[i] < 0 ? NAN : double(im.cluster[i]);
    case Sort::Id: break;
    }
    return double(i);
}

const QVector<SampleListModel::Sort> &SampleListModel::scores()
{
    static const QVector<Sort> all{Sort::ShorterSide, Sort::Pixels, Sort::Aspect, Sort::Similarity, Sort::Cluster, Sort::ClusterScore};
    return all;
}

QString SampleListModel::scoreLabel(Sort score)
{
    switch (score) {
    case Sort::Id: return QStringLiteral("id");
    case Sort::ShorterSide: return QStringLiteral("shorter side");
    case Sort::Pixels: return QStringLiteral("pixels");
    case Sort::Aspect: return QStringLiteral("aspect ratio");
    case Sort::Similarity: return QStringLiteral("similarity");
    case Sort::Cluster: return QStringLiteral("cluster");
    case Sort::ClusterScore: return QStringLiteral("distance to cluster centre");
    }
    return {};
}

void SampleListModel::setSearch(const QString &text)
{
    m_searchText = text.trimmed();
    const quint64 serial = ++m_searchSerial;
    if (m_searchText.isEmpty() || !m_store) {
        m_searchIds.reset();
        rebuild();
        return;
    }
    const QString dir = m_store->dir();
    const QString pattern = QStringLiteral("%") + m_searchText + QStringLiteral("%");
    auto *watcher = new QFutureWatcher<std::vector<qint64>>(this);
    connect(watcher, &QFutureWatcher<std::vector<qint64>>::finished, this, [this, watcher, serial]() {
        watcher->deleteLater();
        if (serial != m_searchSerial)
            return;
        m_searchIds = std::make_shared<const std::vector<qint64>>(watcher->result());
        rebuild();
    });
    watcher->setFuture(QtConcurrent::run([dir, pattern]() {
        std::vector<qint64> ids;
        auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
        if (!store)
            return ids;
        // LIKE is case-insensitive for ASCII in SQLite; good enough for a browser filter.
        auto q = (*store)->exec(QStringLiteral("SELECT id FROM images WHERE coalesce(path, image_key) LIKE ?"
                                               " UNION SELECT image_id FROM image_refs WHERE alt LIKE ? OR title LIKE ? OR caption LIKE ?"
                                               " UNION SELECT image_id FROM generations WHERE synthetic_text LIKE ? OR caption LIKE ?"),
                                {pattern, pattern, pattern, pattern, pattern, pattern});
        if (q)
            while (q->next())
                ids.push_back(q->value(0).toLongLong());
        std::sort(ids.begin(), ids.end());
        return ids;
    }));
}

void SampleListModel::setSearchIds(std::shared_ptr<const std::vector<qint64>> sortedIds)
{
    ++m_searchSerial; // a text search still running must not replace these
    m_searchText.clear();
    m_searchIds = std::move(sortedIds);
    rebuild();
}

void SampleListModel::rebuild()
{
    const quint64 serial = ++m_serial;
    if (!m_live) {
        beginResetModel();
        m_rows.clear();
        m_pages.clear();
        m_thumbRows.clear();
        endResetModel();
        m_rebuilding = false;
        Q_EMIT rowsRebuilt(0);
        return;
    }
    m_rebuilding = true;
    auto live = m_live;
    auto codes = m_codes;
    auto search = m_searchIds;
    std::shared_ptr<const std::vector<qint64>> selected;
    if (m_filter == Filter::Selected && m_store) {
        // One indexed query; the rule itself is the core's (selectedCondition).
        auto ids = sampleIds(*m_store, SampleFilter::Selected);
        selected = std::make_shared<const std::vector<qint64>>(ids ? std::move(ids.value()) : std::vector<qint64>());
    }
    // Field filters: the core's facet sets (small indexed reads), as for "selected".
    const auto facet = [this](ImageFacet f) {
        auto ids = m_store ? imagesWith(*m_store, f) : Result<std::vector<qint64>>(std::vector<qint64>());
        return std::make_shared<const std::vector<qint64>>(ids ? std::move(ids.value()) : std::vector<qint64>());
    };
    std::shared_ptr<const std::vector<qint64>> include, exclude, exclude2;
    switch (m_decision) {
    case Decision::Accepted: include = facet(ImageFacet::CuratorAccepted); break;
    case Decision::Rejected: include = facet(ImageFacet::CuratorRejected); break;
    case Decision::Undecided:
        exclude = facet(ImageFacet::CuratorAccepted);
        exclude2 = facet(ImageFacet::CuratorRejected);
        break;
    case Decision::Any: break;
    }
    std::shared_ptr<const std::vector<qint64>> featureSet;
    const bool featureWanted = m_feature == Feature::OcrText || m_feature == Feature::Faces;
    if (m_feature != Feature::Any)
        featureSet = facet(m_feature == Feature::OcrText || m_feature == Feature::NoOcrText ? ImageFacet::HasOcrText : ImageFacet::HasFaces);
    const Sort rangeScore = m_rangeScore;
    const double rangeMin = m_rangeMin, rangeMax = m_rangeMax;
    const Filter filter = m_filter;
    const Sort sort = m_sort;
    const Qt::SortOrder order = m_order;
    const int cluster = m_cluster;
    const int reasonCode = m_reason.isEmpty() ? -1 : int(m_reasonNames.indexOf(m_reason)) + 1;

    auto *watcher = new QFutureWatcher<std::vector<qint32>>(this);
    connect(watcher, &QFutureWatcher<std::vector<qint32>>::finished, this, [this, watcher, serial]() {
        watcher->deleteLater();
        if (serial != m_serial)
            return;
        beginResetModel();
        m_rows = watcher->result();
        m_pages.clear();
        m_thumbRows.clear();
        endResetModel();
        m_rebuilding = false;
        Q_EMIT rowsRebuilt(int(m_rows.size()));
    });
    watcher->setFuture(QtConcurrent::run([live, codes, search, selected, filter, sort, order, cluster, reasonCode, include, exclude,
                                          exclude2, featureSet, featureWanted, rangeScore, rangeMin, rangeMax]() {
        const auto in = [](const std::shared_ptr<const std::vector<qint64>> &set, qint64 id) {
            return set && std::binary_search(set->begin(), set->end(), id);
        };
        const auto &im = live->images();
        const size_t n = im.id.size();
        std::vector<qint32> rows;
        rows.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const quint8 code = codes && codes->size() == n ? (*codes)[i] : 0;
            if (filter == Filter::Kept && code)
                continue;
            if (filter == Filter::Rejected && !code)
                continue;
            if (selected && !std::binary_search(selected->begin(), selected->end(), im.id[i]))
                continue;
            if (reasonCode > 0 && code != reasonCode)
                continue;
            if (cluster >= 0 && im.cluster[i] != cluster)
                continue;
            if (search && !std::binary_search(search->begin(), search->end(), im.id[i]))
                continue;
            if ((include && !in(include, im.id[i])) || in(exclude, im.id[i]) || in(exclude2, im.id[i]))
                continue;
            if (featureSet && in(featureSet, im.id[i]) != featureWanted)
                continue;
            if (rangeScore != Sort::Id) {
                const double v = scoreOf(im, rangeScore, i);
                if (std::isnan(v) || (!std::isnan(rangeMin) && v < rangeMin) || (!std::isnan(rangeMax) && v > rangeMax))
                    continue;
            }
            rows.push_back(qint32(i));
        }
        if (sort != Sort::Id) {
            // NaN / missing scores sort last either way.
            auto key = [&](qint32 i) -> double { return scoreOf(im, sort, size_t(i)); };
            std::vector<double> keys(n, NAN);
            for (qint32 r : rows)
                keys[size_t(r)] = key(r);
            const bool asc = order == Qt::AscendingOrder;
            std::stable_sort(rows.begin(), rows.end(), [&](qint32 a, qint32 b) {
                const double ka = keys[size_t(a)], kb = keys[size_t(b)];
                if (std::isnan(ka) || std::isnan(kb))
                    return !std::isnan(ka) && std::isnan(kb);
                return asc ? ka < kb : ka > kb;
            });
        } else if (order == Qt::DescendingOrder) {
            std::reverse(rows.begin(), rows.end());
        }
        return rows;
    }));
}

void SampleListModel::refreshRows()
{
    m_pages.clear();
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0), index(int(m_rows.size()) - 1));
}

qint64 SampleListModel::idAt(int row) const
{
    if (row < 0 || size_t(row) >= m_rows.size() || !m_live)
        return -1;
    return m_live->images().id[size_t(m_rows[size_t(row)])];
}

int SampleListModel::rowOf(qint64 id) const
{
    if (!m_live)
        return -1;
    const qint64 r = m_live->rowOfImage(id);
    if (r < 0)
        return -1;
    auto it = std::find(m_rows.begin(), m_rows.end(), qint32(r));
    return it == m_rows.end() ? -1 : int(it - m_rows.begin());
}

int SampleListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

const SampleListModel::Page *SampleListModel::page(int pageIndex) const
{
    if (Page *p = m_pages.object(pageIndex))
        return p;
    if (!m_store || !m_live)
        return nullptr;
    const int first = pageIndex * kPageSize;
    const int last = std::min<int>(int(m_rows.size()), first + kPageSize);
    if (first >= last)
        return nullptr;
    QStringList ids;
    QHash<qint64, int> slot;
    for (int r = first; r < last; ++r) {
        const qint64 id = m_live->images().id[size_t(m_rows[size_t(r)])];
        ids.append(QString::number(id));
        slot.insert(id, r - first);
    }
    auto *p = new Page;
    p->path.resize(size_t(last - first));
    p->decision.resize(size_t(last - first));
    p->badge.resize(size_t(last - first), NoBadge);
    // One small indexed query per page of visible rows (ids are integers we
    // produced, so inlining them is safe).
    auto q = m_store->exec(QStringLiteral("SELECT i.id, coalesce(i.path, i.image_key), d.decision, %2, i.sample_reason FROM images i"
                                          " LEFT JOIN decisions d ON d.image_id = i.id WHERE i.id IN (%1)")
                               .arg(ids.join(QLatin1Char(',')), selectedCondition()));
    if (q) {
        while (q->next()) {
            const int s = slot.value(q->value(0).toLongLong(), -1);
            if (s < 0)
                continue;
            p->path[size_t(s)] = q->value(1).toString();
            p->decision[size_t(s)] = q->value(2).toString();
            p->badge[size_t(s)] = q->value(3).toInt() ? SelectedBadge : !q->value(4).toString().isEmpty() ? CappedBadge : NoBadge;
        }
    }
    m_pages.insert(pageIndex, p);
    return p;
}

QVariant SampleListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()) || !m_live)
        return {};
    const int row = index.row();
    const size_t i = size_t(m_rows[size_t(row)]);
    const auto &im = m_live->images();
    const qint64 id = im.id[i];
    const quint8 code = m_codes && m_codes->size() == im.id.size() ? (*m_codes)[i] : 0;
    const bool probed = !m_unprobed || !std::binary_search(m_unprobed->begin(), m_unprobed->end(), id);
    const QString reason = code ? m_reasonNames.value(code - 1) : QString();
    // What a curator reads: the registry's display name, or the probe state.
    const QString reasonText = !probed ? QStringLiteral("not probed yet")
                               : code  ? reasonDisplayName(ReasonTable::Images, reason)
                                       : QString();
    switch (role) {
    case IdRole: return id;
    case KeptRole: return code == 0;
    case ReasonRole: return reason;
    case ClusterRole: return im.cluster[i];
    case Qt::DisplayRole: {
        const Page *p = page(row / kPageSize);
        const QString decision = p ? p->decision[size_t(row % kPageSize)] : QString();
        QString text = QStringLiteral("#%1").arg(id);
        if (!decision.isEmpty())
            text += decision == QLatin1String("accept") ? QStringLiteral(" ✓") : QStringLiteral(" ✗");
        // One line: a two-line label was cut to "#2…" by the uniform item height.
        return QString(text + (reasonText.isEmpty() ? QString() : QStringLiteral(" · ") + reasonText));
    }
    case Qt::ToolTipRole: {
        const Page *p = page(row / kPageSize);
        return QStringLiteral("#%1  %2×%3\n%4\n%5")
            .arg(id)
            .arg(im.width[i])
            .arg(im.height[i])
            .arg(p ? p->path[size_t(row % kPageSize)] : QString(), reasonText.isEmpty() ? QStringLiteral("kept") : reasonText);
    }
    case Qt::ForegroundRole:
        return code && probed ? QBrush(QColor(0xb0, 0x30, 0x30)) : QVariant();
    case PathRole:
    case DecisionRole: {
        const Page *p = page(row / kPageSize);
        if (!p)
            return {};
        return role == PathRole ? p->path[size_t(row % kPageSize)] : p->decision[size_t(row % kPageSize)];
    }
    case Qt::DecorationRole: {
        const Page *p = page(row / kPageSize);
        const QString path = p ? p->path[size_t(row % kPageSize)] : QString();
        if (!m_thumbs)
            return {};
        if (im.fixedReason[i] && m_reasonNames.value(im.fixedReason[i] - 1) != QLatin1String("decode_failed")
            && m_reasonNames.value(im.fixedReason[i] - 1) != QLatin1String("too_many_pixels"))
            return placeholder(Qt::darkGray, m_reasonNames.value(im.fixedReason[i] - 1));
        QPixmap pix = m_thumbs->thumbnail(id, path);
        if (!pix.isNull()) {
            // Dropped by the live filters wins; else the stored export state.
            const quint8 badge = p ? p->badge[size_t(row % kPageSize)] : quint8(NoBadge);
            if (code && probed)
                return withBadge(pix, QStringLiteral("dropped"), QColor(0xb0, 0x30, 0x30));
            if (badge == SelectedBadge)
                return withBadge(pix, QStringLiteral("✓ selected"), QColor(0x20, 0x80, 0x30));
            if (badge == CappedBadge)
                return withBadge(pix, QStringLiteral("capped"), QColor(0xb0, 0x70, 0x00));
            return pix;
        }
        if (!m_thumbs->failure(id).isEmpty())
            return placeholder(QColor(0xb0, 0x30, 0x30), m_thumbs->failure(id).section(QLatin1Char(':'), 0, 0));
        m_thumbRows.insert(id, row);
        return placeholder(Qt::gray, QStringLiteral("…"));
    }
    default: break;
    }
    return {};
}

void SampleListModel::onThumbnail(qint64 id)
{
    auto it = m_thumbRows.find(id);
    if (it == m_thumbRows.end())
        return;
    const int row = *it;
    m_thumbRows.erase(it);
    if (idAt(row) == id)
        Q_EMIT dataChanged(index(row), index(row), {Qt::DecorationRole});
}

QHash<int, QByteArray> SampleListModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(IdRole, "id");
    names.insert(PathRole, "path");
    names.insert(KeptRole, "kept");
    names.insert(ReasonRole, "reason");
    names.insert(DecisionRole, "decision");
    names.insert(ClusterRole, "cluster");
    return names;
}

} // namespace rs
