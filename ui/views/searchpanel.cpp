#include "ui/views/searchpanel.h"

#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "ui/models/projectsession.h"
#include "ui/models/samplelistmodel.h"
#include "ui/views/samplebrowser.h"

#include <QAction>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QLocale>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>

namespace rs {

SearchPanel::SearchPanel(ProjectSession *session, SampleBrowser *browser, QWidget *parent)
    : QWidget(parent), m_session(session), m_browser(browser)
{
    m_query = new QLineEdit(this);
    m_query->setPlaceholderText(QStringLiteral("Search every text of each image (alt, caption, OCR, retrieved, synthetic)…"));
    m_query->setClearButtonEnabled(true);
    m_mode = new QComboBox(this);
    m_mode->addItem(QStringLiteral("words"), int(SearchMode::Text));
    m_mode->addItem(QStringLiteral("meaning"), int(SearchMode::Semantic));
    m_mode->setToolTip(QStringLiteral("words: BM25 over the image's texts, as lexical retrieval matches them;\n"
                                      "meaning: the encoder's embedding of the query against the image embeddings"));
    m_clear = new QToolButton(this);
    m_clear->setText(QStringLiteral("Clear"));
    m_clear->setToolTip(QStringLiteral("Drop the results and show the browser unfiltered"));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_results = new QListWidget(this);
    m_results->setUniformItemSizes(true);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_query, 1);
    bar->addWidget(m_mode);
    bar->addWidget(m_clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(m_results, 1);

    connect(m_query, &QLineEdit::returnPressed, this, [this]() {
        search(m_query->text(), SearchMode(m_mode->currentData().toInt()));
    });
    connect(m_clear, &QToolButton::clicked, this, &SearchPanel::clear);
    connect(m_results, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item && m_browser)
            m_browser->selectSample(item->data(Qt::UserRole).toLongLong());
    });
    // Anything that changes texts, vectors or verdicts makes the index stale.
    const auto stale = [this]() { m_index.reset(); };
    connect(m_session, &ProjectSession::opened, this, [this]() {
        m_index.reset();
        clear();
    });
    connect(m_session, &ProjectSession::closed, this, [this]() {
        m_index.reset();
        ++m_serial;
        m_running = false;
        m_hits.clear();
        m_results->clear();
        m_status->clear();
    });
    connect(m_session, &ProjectSession::stagesChanged, this, stale);
    connect(m_session, &ProjectSession::liveChanged, this, stale);
    connect(m_session, &ProjectSession::sampleChanged, this, stale);
    installBrowserMenu();
}

SearchPanel::~SearchPanel()
{
    ++m_serial; // late results of a running search are dropped
}

void SearchPanel::installBrowserMenu()
{
    if (!m_browser)
        return;
    // An action on the view: its context menu lists it (and whatever else
    // other tools add the same way); a right-click makes the item current.
    QListView *view = m_browser->view();
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *more = new QAction(QStringLiteral("More Like This"), view);
    more->setObjectName(QStringLiteral("moreLikeThisAction"));
    more->setToolTip(QStringLiteral("The images nearest to this one by embedding"));
    connect(more, &QAction::triggered, this, [this]() {
        const qint64 id = m_browser->currentId();
        if (id > 0)
            moreLikeThis(id);
    });
    view->addAction(more);
}

QString SearchPanel::statusText() const
{
    return m_status->text();
}

void SearchPanel::search(const QString &query, SearchMode mode)
{
    if (query.trimmed().isEmpty()) {
        clear();
        return;
    }
    start(mode, query, 0);
}

void SearchPanel::moreLikeThis(qint64 imageId)
{
    start(SearchMode::Similar, QString(), imageId);
}

void SearchPanel::clear()
{
    ++m_serial;
    m_running = false;
    m_hits.clear();
    m_results->clear();
    m_status->clear();
    if (m_browser)
        m_browser->model()->setSearchIds(nullptr);
}

void SearchPanel::start(SearchMode mode, const QString &query, qint64 imageId)
{
    if (!m_session->isOpen() || !m_session->store()) {
        m_status->setText(QStringLiteral("No project open."));
        return;
    }
    const quint64 serial = ++m_serial;
    m_running = true;
    const QString dir = m_session->store()->dir();
    const QString what = mode == SearchMode::Similar ? QStringLiteral("like #%1").arg(imageId) : QStringLiteral("“%1”").arg(query);
    m_status->setText(m_index ? QStringLiteral("Searching %1…").arg(what) : QStringLiteral("Indexing the project's texts and embeddings…"));
    auto *watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, serial, what]() {
        watcher->deleteLater();
        onFinished(serial, watcher->result(), what);
    });
    watcher->setFuture(QtConcurrent::run([index = m_index, dir, mode, query, imageId]() {
        Outcome out;
        out.index = index;
        if (!out.index) {
            // Its own read-only connection: the GUI thread's is not usable here.
            auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
            if (!store) {
                out.error = store.error().toString();
                return out;
            }
            auto recipe = Recipe::load(**store);
            if (!recipe) {
                out.error = recipe.error().toString();
                return out;
            }
            JobContext ctx;
            auto built = ImageSearch::load(**store, *recipe, ctx);
            if (!built) {
                out.error = built.error().toString();
                return out;
            }
            out.index = std::make_shared<const ImageSearch>(std::move(*built));
        }
        constexpr int kLimit = 200;
        auto hits = mode == SearchMode::Text     ? out.index->text(query, kLimit)
                    : mode == SearchMode::Semantic ? out.index->semantic(query, kLimit)
                                                   : out.index->similar(imageId, kLimit);
        if (hits)
            out.hits = std::move(*hits);
        else
            out.error = hits.error().toString();
        return out;
    }));
}

void SearchPanel::onFinished(quint64 serial, const Outcome &outcome, const QString &what)
{
    if (serial != m_serial)
        return;
    m_running = false;
    if (outcome.index)
        m_index = outcome.index;
    m_hits = outcome.hits;
    m_results->clear();
    if (!outcome.error.isEmpty()) {
        m_status->setText(outcome.error);
        Q_EMIT finished(0, outcome.error);
        return;
    }
    const QLocale loc;
    m_status->setText(m_hits.empty() ? QStringLiteral("No image matches %1.").arg(what)
                                     : QStringLiteral("%1 images %2, best first; the browser shows them.").arg(loc.toString(qint64(m_hits.size())), what));
    {
        const QSignalBlocker block(m_results);
        for (const ImageHit &h : m_hits) {
            auto *item = new QListWidgetItem(QStringLiteral("#%1   %2").arg(h.imageId).arg(double(h.score), 0, 'f', 3), m_results);
            item->setData(Qt::UserRole, h.imageId);
        }
    }
    if (m_browser) {
        auto ids = std::make_shared<std::vector<qint64>>();
        for (const ImageHit &h : m_hits)
            ids->push_back(h.imageId);
        std::sort(ids->begin(), ids->end());
        m_browser->model()->setSearchIds(std::move(ids));
    }
    Q_EMIT finished(int(m_hits.size()), QString());
}

} // namespace rs
