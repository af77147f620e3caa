#pragma once
// SearchPanel: the curator's search (core/index/imagesearch, the code
// `realsyn search` runs). A query box searches every text of each image
// (BM25) or, in "meaning" mode, ranks images by the encoder's embedding of
// the query; "More like this" in the browser's context menu lists the
// images nearest to one image by embedding. The ranked results are listed
// here (click one to show it) and become the browser's filter until
// cleared.
//
// The index is read and built off the GUI thread, on first use and again
// after the project's data changed (stages ran, decisions were applied);
// each query runs off the GUI thread too, and a newer query drops an older
// one's late results.

#include "core/index/imagesearch.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QToolButton;

namespace rs {

class ProjectSession;
class SampleBrowser;

class SearchPanel : public QWidget {
    Q_OBJECT
public:
    SearchPanel(ProjectSession *session, SampleBrowser *browser, QWidget *parent = nullptr);
    ~SearchPanel() override;

    QLineEdit *queryBox() const { return m_query; }
    QComboBox *modeBox() const { return m_mode; }
    QListWidget *resultList() const { return m_results; }
    // The last finished search's hits, best first (empty after an error).
    const std::vector<ImageHit> &results() const { return m_hits; }
    QString statusText() const;
    // A search (or the index build before it) is running.
    bool isSearching() const { return m_running; }

    // Runs a search (Text or Semantic) for `query`; Similar for moreLikeThis.
    void search(const QString &query, SearchMode mode);
    void moreLikeThis(qint64 imageId);
    // Drops the results and the browser filter.
    void clear();

Q_SIGNALS:
    // A search finished with `count` hits (results()), or failed (`error`).
    void finished(int count, const QString &error);

private:
    struct Outcome {
        std::shared_ptr<const ImageSearch> index; // built or reused
        std::vector<ImageHit> hits;
        QString error;
    };
    void start(SearchMode mode, const QString &query, qint64 imageId);
    void onFinished(quint64 serial, const Outcome &outcome, const QString &what);
    void installBrowserMenu();

    ProjectSession *m_session;
    SampleBrowser *m_browser;
    QLineEdit *m_query;
    QComboBox *m_mode;
    QToolButton *m_clear;
    QLabel *m_status;
    QListWidget *m_results;
    std::shared_ptr<const ImageSearch> m_index; // null: (re)build on next search
    std::vector<ImageHit> m_hits;
    quint64 m_serial = 0;
    bool m_running = false;
};

} // namespace rs
