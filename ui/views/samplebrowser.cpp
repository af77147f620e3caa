#include "ui/views/samplebrowser.h"

#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "ui/models/projectsession.h"
#include "ui/models/samplelistmodel.h"
#include "ui/models/thumbnailcache.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QStackedWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace rs {

SampleBrowser::SampleBrowser(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    m_model = new SampleListModel(this);
    m_thumbs = new ThumbnailCache(this);
    m_model->setThumbnails(m_thumbs);

    auto *bar = new QHBoxLayout;
    m_filter = new QComboBox(this);
    m_filter->addItem(QStringLiteral("All images"), int(SampleListModel::Filter::All));
    m_filter->addItem(QStringLiteral("Kept"), int(SampleListModel::Filter::Kept));
    m_filter->addItem(QStringLiteral("Rejected"), int(SampleListModel::Filter::Rejected));
    m_filter->addItem(QStringLiteral("Selected for export"), int(SampleListModel::Filter::Selected));
    m_filter->setToolTip(QStringLiteral("Which images to show, decided live from the current thresholds"));
    m_reason = new QComboBox(this);
    m_reason->addItem(QStringLiteral("any reason"), QString());
    m_reason->setToolTip(QStringLiteral("Only images rejected for this reason"));
    m_sort = new QComboBox(this);
    const std::pair<const char *, SampleListModel::Sort> sorts[] = {
        {"id", SampleListModel::Sort::Id},
        {"shorter side", SampleListModel::Sort::ShorterSide},
        {"pixels", SampleListModel::Sort::Pixels},
        {"aspect ratio", SampleListModel::Sort::Aspect},
        {"similarity", SampleListModel::Sort::Similarity},
        {"cluster", SampleListModel::Sort::Cluster},
        {"distance to cluster centre", SampleListModel::Sort::ClusterScore}};
    for (auto [name, sort] : sorts)
        m_sort->addItem(QStringLiteral("sort: ") + QString::fromLatin1(name), int(sort));
    m_sort->setToolTip(QStringLiteral("Sort by a stored score; missing scores go last"));
    m_order = new QToolButton(this);
    m_order->setCheckable(true);
    m_order->setText(QStringLiteral("↑"));
    m_order->setToolTip(QStringLiteral("Ascending / descending"));
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(QStringLiteral("Search path, alt, title, caption, synthetic text…"));
    m_search->setClearButtonEnabled(true);
    m_clusterChip = new QToolButton(this);
    m_clusterChip->setVisible(false);
    m_clusterChip->setToolTip(QStringLiteral("Showing one cluster only; click to show all"));
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    // The bar must not set the window's minimum width: at 1280 px the
    // browser gets ~450 px between the docks. Combos shrink to a few
    // characters (their popups still show whole names) and the bar wraps
    // onto two rows.
    for (QComboBox *box : {m_filter, m_reason, m_sort}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8);
        box->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_reason, 1);
    bar->addWidget(m_sort, 1);
    bar->addWidget(m_order);
    auto *bar2 = new QHBoxLayout;
    bar2->addWidget(m_search, 2);
    bar2->addWidget(m_clusterChip);
    bar2->addWidget(m_summary, 1);

    m_view = new QListView(this);
    m_view->setModel(m_model);
    m_view->setViewMode(QListView::IconMode);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setMovement(QListView::Static);
    m_view->setUniformItemSizes(true); // O(1) layout: 100k items scroll smoothly
    m_view->setLayoutMode(QListView::Batched);
    m_view->setBatchSize(500);
    m_view->setIconSize(QSize(ThumbnailCache::kSide, ThumbnailCache::kSide * 3 / 4));
    m_view->setGridSize(QSize(ThumbnailCache::kSide + 16, ThumbnailCache::kSide * 3 / 4 + 40));
    m_view->setSpacing(2);
    m_view->setWordWrap(false); // one line "#id · reason", elided at the right
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_empty = new QLabel(this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet(QStringLiteral("color: #777; font-size: 14px;"));
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_empty);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addLayout(bar2);
    layout->addWidget(m_stack, 1);

    connect(m_filter, &QComboBox::currentIndexChanged, this, [this]() {
        m_model->setFilter(SampleListModel::Filter(m_filter->currentData().toInt()));
    });
    connect(m_reason, &QComboBox::currentIndexChanged, this, [this]() { m_model->setReason(m_reason->currentData().toString()); });
    const auto applySort = [this]() {
        m_order->setText(m_order->isChecked() ? QStringLiteral("↓") : QStringLiteral("↑"));
        m_model->setSort(SampleListModel::Sort(m_sort->currentData().toInt()), m_order->isChecked() ? Qt::DescendingOrder : Qt::AscendingOrder);
    };
    connect(m_sort, &QComboBox::currentIndexChanged, this, applySort);
    connect(m_order, &QToolButton::toggled, this, applySort);
    auto *searchDelay = new QTimer(this);
    searchDelay->setSingleShot(true);
    searchDelay->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, searchDelay, qOverload<>(&QTimer::start));
    connect(searchDelay, &QTimer::timeout, this, [this]() { m_model->setSearch(m_search->text()); });
    connect(m_clusterChip, &QToolButton::clicked, this, [this]() { showCluster(-1); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &current) {
        const qint64 id = current.isValid() ? current.data(SampleListModel::IdRole).toLongLong() : -1;
        if (id >= 0)
            m_wanted = id;
        Q_EMIT currentSampleChanged(id);
    });
    connect(m_model, &SampleListModel::rowsRebuilt, this, [this](int rows) {
        updateSummary(rows);
        if (m_wanted >= 0) {
            const int row = m_model->rowOf(m_wanted);
            if (row >= 0) {
                const QSignalBlocker block(m_view->selectionModel());
                m_view->setCurrentIndex(m_model->index(row));
                m_view->scrollTo(m_model->index(row));
            }
        }
    });

    connect(m_session, &ProjectSession::opened, this, [this]() {
        m_thumbs->setCacheDir(m_session->store()->sidePath(QStringLiteral("thumbnails")));
        m_model->setStore(m_session->store());
        m_wanted = -1;
        refreshData();
    });
    connect(m_session, &ProjectSession::closed, this, [this]() {
        m_model->setStore(nullptr);
        m_model->setUnprobed(nullptr);
        m_model->setData(nullptr, nullptr);
        m_thumbs->setCacheDir(QString());
    });
    connect(m_session, &ProjectSession::liveChanged, this, &SampleBrowser::refreshData);
    connect(m_session, &ProjectSession::preview, this, [this](const QString &, const LiveDecisions::Outcome &outcome) {
        if (outcome.table == LiveDecisions::Table::Images) {
            m_model->setUnprobed(m_session->unprobedIds());
            m_model->setData(m_session->live(), m_session->imageCodes());
            refreshReasons();
        }
    });
    connect(m_session, &ProjectSession::sampleChanged, m_model, &SampleListModel::refreshRows);
    updateSummary(0);
}

void SampleBrowser::refreshData()
{
    refreshReasons();
    m_model->setReason(m_reason->currentData().toString());
    m_model->setUnprobed(m_session->unprobedIds());
    m_model->setData(m_session->live(), m_session->imageCodes());
}

void SampleBrowser::refreshReasons()
{
    // Every reason the core knows, in the registry's order (reasonNames is
    // the registry plus unknown stored codes), with its live count; reasons
    // nothing is rejected for are left out, except the one being shown.
    auto live = m_session->live();
    auto codes = m_session->imageCodes();
    const QString current = m_reason->currentData().toString();
    const QSignalBlocker block(m_reason);
    m_reason->clear();
    m_reason->addItem(QStringLiteral("any reason"), QString());
    const qint64 total = live ? qint64(live->images().id.size()) : 0;
    if (live && codes && codes->size() == size_t(total) && m_session->unprobedImages() < total) {
        const LiveDecisions::Counts counts = live->count(LiveDecisions::Table::Images, *codes);
        const QStringList names = live->reasonNames(LiveDecisions::Table::Images);
        const QLocale loc;
        for (int k = 0; k < names.size(); ++k) {
            const qint64 n = size_t(k) < counts.byReason.size() ? counts.byReason[size_t(k)] : 0;
            if (n == 0 && names[k] != current)
                continue;
            m_reason->addItem(QStringLiteral("%1 (%2)").arg(reasonDisplayName(ReasonTable::Images, names[k]), loc.toString(n)), names[k]);
        }
    }
    m_reason->setCurrentIndex(std::max(0, m_reason->findData(current)));
}

void SampleBrowser::updateSummary(int rows)
{
    const QLocale loc;
    auto live = m_session->live();
    const qint64 total = live ? qint64(live->images().id.size()) : 0;
    m_summary->setText(QStringLiteral("%1 of %2").arg(loc.toString(rows), loc.toString(total)));
    if (!m_session->isOpen())
        m_empty->setText(QStringLiteral("No project open.\nUse File ▸ New Project… to ingest a corpus, or File ▸ Open Project…"));
    else if (!live)
        m_empty->setText(QStringLiteral("Reading the project…"));
    else if (total == 0)
        m_empty->setText(QStringLiteral("This project has no images yet.\nIngest a corpus (File ▸ New Project…) or run the extract stage."));
    else
        m_empty->setText(QStringLiteral("No image matches the filter, cluster or search."));
    m_stack->setCurrentIndex(rows > 0 ? 0 : 1);
}

qint64 SampleBrowser::currentId() const
{
    const QModelIndex i = m_view->currentIndex();
    return i.isValid() ? i.data(SampleListModel::IdRole).toLongLong() : -1;
}

void SampleBrowser::selectSample(qint64 id)
{
    m_wanted = id;
    int row = m_model->rowOf(id);
    if (row < 0 && !m_model->isRebuilding()) {
        // Hidden by a filter: show everything, the selection follows the rebuild.
        m_clusterChip->setVisible(false);
        m_model->setCluster(-1);
        m_filter->setCurrentIndex(0);
        m_reason->setCurrentIndex(0);
        m_search->clear();
        m_model->setSearch(QString());
        return;
    }
    if (row >= 0) {
        m_view->setCurrentIndex(m_model->index(row));
        m_view->scrollTo(m_model->index(row));
    }
}

void SampleBrowser::selectNext()
{
    const int row = m_view->currentIndex().row();
    if (row + 1 < m_model->rowCount())
        m_view->setCurrentIndex(m_model->index(row + 1));
}

void SampleBrowser::showCluster(int cluster)
{
    m_clusterChip->setVisible(cluster >= 0);
    m_clusterChip->setText(QStringLiteral("cluster %1 ✕").arg(cluster));
    m_model->setCluster(cluster);
}

} // namespace rs
