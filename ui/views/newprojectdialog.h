#pragma once
// NewProjectDialog: where the new project goes, which sources to ingest and
// in what format (as `realsyn init` + `realsyn ingest`).

#include "core/ingest/ingestor.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace rs {

class NewProjectDialog : public QDialog {
    Q_OBJECT
public:
    explicit NewProjectDialog(QWidget *parent = nullptr);

    QString projectDir() const;
    IngestOptions options() const;

private:
    void validate();

    QLineEdit *m_dir, *m_images;
    QComboBox *m_format;
    QListWidget *m_sources;
    QSpinBox *m_limit;
    QPushButton *m_ok = nullptr;
};

} // namespace rs
