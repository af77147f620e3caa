#pragma once
// SampleListModel: the sample browser's list, one row per image.
//
// The row set (filter, sort, cluster, text search) is computed off the GUI
// thread from the in-memory score columns (LiveDecisions) and the live
// extract decisions, so it follows a threshold slider without SQL; only the
// ids are held for all rows. What a row shows (path, curator decision) is
// read from the store in pages of kPageSize rows when a view asks for them,
// and thumbnails come asynchronously from a ThumbnailCache.
//
// Threads: GUI thread. rebuild() returns at once; rowsRebuilt() follows.

#include "core/pipeline/livedecisions.h"

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>
#include <QSet>

#include <memory>
#include <vector>

namespace rs {

class ProjectStore;
class ThumbnailCache;

class SampleListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { IdRole = Qt::UserRole + 1, PathRole, KeptRole, ReasonRole, DecisionRole, ClusterRole };
    // Selected = selected for export as stored (core's selectedCondition():
    // filters, sampling and curator decisions as last applied).
    enum class Filter { All, Kept, Rejected, Selected };
    enum class Sort { Id, ShorterSide, Pixels, Aspect, Similarity, ClusterScore, Cluster };
    // Field filters (core's ImageFacet sets, read from the store at rebuild).
    enum class Decision { Any, Accepted, Rejected, Undecided };
    enum class Feature { Any, OcrText, Faces, NoOcrText, NoFaces };
    static constexpr int kPageSize = 128;

    explicit SampleListModel(QObject *parent = nullptr);
    ~SampleListModel() override;

    // The store pages are read from (GUI-thread connection); may be null.
    void setStore(ProjectStore *store);
    void setThumbnails(ThumbnailCache *cache);
    // The columns and the current per-image extract codes (see
    // ProjectSession::imageCodes()); triggers a rebuild.
    void setData(std::shared_ptr<const LiveDecisions> live, std::shared_ptr<const std::vector<quint8>> codes);
    // Sorted ids of images extract has not probed (ProjectSession::unprobedIds()):
    // they read "not probed yet" instead of a verdict.
    void setUnprobed(std::shared_ptr<const std::vector<qint64>> ids) { m_unprobed = std::move(ids); }
    void setFilter(Filter filter);
    void setSort(Sort sort, Qt::SortOrder order);
    void setCluster(int cluster); // -1 = all clusters
    void setReason(const QString &reason); // only rows rejected for this reason; empty = any
    // Restricts rows to images whose path, alt text, title or caption
    // contains `text` (case-insensitive; searched in the store off-thread).
    void setSearch(const QString &text);
    void setDecisionFilter(Decision decision);
    void setFeatureFilter(Feature feature);
    // Only rows whose `score` lies in [min, max] (NaN = open bound; rows
    // without the score are left out). Sort::Id: no range.
    void setScoreRange(Sort score, double min, double max);
    // Rebuilds with the store's current facets (after curator decisions).
    void refilter() { rebuild(); }
    // The value a row sorts and ranges by (NaN where missing).
    static double scoreOf(const LiveDecisions::ImageColumns &im, Sort score, size_t i);
    // The scores an image can have (every Sort but Id), in menu order, and
    // their names ("shorter side", "distance to cluster centre"): the
    // browser's sort and score menus and the map's colours use these.
    static const QVector<Sort> &scores();
    static QString scoreLabel(Sort score);
    // Restricts rows to these image ids, sorted ascending (a search panel's
    // results); replaces a text search. Null = no restriction.
    void setSearchIds(std::shared_ptr<const std::vector<qint64>> sortedIds);
    Filter filter() const { return m_filter; }
    Decision decisionFilter() const { return m_decision; }
    Feature featureFilter() const { return m_feature; }
    int cluster() const { return m_cluster; }
    bool isRebuilding() const { return m_rebuilding; }

    qint64 idAt(int row) const;
    int rowOf(qint64 id) const; // -1 when not shown (linear in rows)
    // Drops cached pages (after curator decisions changed what rows show).
    void refreshRows();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void rowsRebuilt(int rows);

private:
    struct Page {
        std::vector<QString> path;
        std::vector<QString> decision;
        std::vector<quint8> badge; // Badge, as stored
    };
    enum Badge : quint8 { NoBadge, SelectedBadge, CappedBadge };
    void rebuild();
    const Page *page(int pageIndex) const;
    void onThumbnail(qint64 id);

    ProjectStore *m_store = nullptr;
    ThumbnailCache *m_thumbs = nullptr;
    std::shared_ptr<const LiveDecisions> m_live;
    std::shared_ptr<const std::vector<quint8>> m_codes;
    std::shared_ptr<const std::vector<qint64>> m_searchIds; // sorted; null = no search
    std::shared_ptr<const std::vector<qint64>> m_unprobed;   // sorted; null = all probed
    QString m_searchText;
    Filter m_filter = Filter::All;
    Sort m_sort = Sort::Id;
    Qt::SortOrder m_order = Qt::AscendingOrder;
    int m_cluster = -1;
    QString m_reason;
    Decision m_decision = Decision::Any;
    Feature m_feature = Feature::Any;
    Sort m_rangeScore = Sort::Id;
    double m_rangeMin = 0, m_rangeMax = 0;

    std::vector<qint32> m_rows; // row -> index into the live columns
    QStringList m_reasonNames;
    quint64 m_serial = 0;
    quint64 m_searchSerial = 0;
    bool m_rebuilding = false;
    mutable QCache<int, Page> m_pages;
    mutable QHash<qint64, int> m_thumbRows; // id -> row, for rows that asked for a thumbnail
};

} // namespace rs
