#include "ui/views/newprojectdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>

namespace rs {

NewProjectDialog::NewProjectDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(QStringLiteral("New Project"));
    m_dir = new QLineEdit(this);
    m_dir->setPlaceholderText(QStringLiteral("an empty or new folder"));
    auto *browseDir = new QPushButton(QStringLiteral("Browse…"), this);
    m_format = new QComboBox(this);
    m_format->addItems(ingestFormats());
    m_format->setToolTip(QStringLiteral("html: folders of web pages with their images · mmc4 / obelics: JSONL files · wds: WebDataset .tar shards"));
    m_sources = new QListWidget(this);
    m_sources->setToolTip(QStringLiteral("Corpus folders (html) or files (.jsonl, .tar) to ingest"));
    auto *addFolder = new QPushButton(QStringLiteral("Add folder…"), this);
    auto *addFiles = new QPushButton(QStringLiteral("Add files…"), this);
    auto *remove = new QPushButton(QStringLiteral("Remove"), this);
    m_images = new QLineEdit(this);
    m_images->setPlaceholderText(QStringLiteral("mmc4 / obelics: where the image files are"));
    m_limit = new QSpinBox(this);
    m_limit->setRange(0, 1000000000);
    m_limit->setSpecialValueText(QStringLiteral("all documents"));
    m_limit->setToolTip(QStringLiteral("Ingest only the first N documents (0 = all)"));

    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_dir, 1);
    dirRow->addWidget(browseDir);
    auto *sourceButtons = new QHBoxLayout;
    sourceButtons->addWidget(addFolder);
    sourceButtons->addWidget(addFiles);
    sourceButtons->addWidget(remove);
    sourceButtons->addStretch(1);
    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Project folder"), dirRow);
    form->addRow(QStringLiteral("Format"), m_format);
    form->addRow(QStringLiteral("Sources"), m_sources);
    form->addRow(QString(), sourceButtons);
    form->addRow(QStringLiteral("Images folder"), m_images);
    form->addRow(QStringLiteral("Limit"), m_limit);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(QStringLiteral("Create and ingest"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(browseDir, &QPushButton::clicked, this, [this]() {
        const QString d = QFileDialog::getExistingDirectory(this, QStringLiteral("Project folder"));
        if (!d.isEmpty())
            m_dir->setText(d);
    });
    connect(addFolder, &QPushButton::clicked, this, [this]() {
        const QString d = QFileDialog::getExistingDirectory(this, QStringLiteral("Corpus folder"));
        if (!d.isEmpty())
            m_sources->addItem(d);
        validate();
    });
    connect(addFiles, &QPushButton::clicked, this, [this]() {
        m_sources->addItems(QFileDialog::getOpenFileNames(this, QStringLiteral("Source files"), QString(),
                                                          QStringLiteral("Sources (*.jsonl *.json *.tar *.tar.gz);;All files (*)")));
        validate();
    });
    connect(remove, &QPushButton::clicked, this, [this]() {
        delete m_sources->currentItem();
        validate();
    });
    connect(m_dir, &QLineEdit::textChanged, this, &NewProjectDialog::validate);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    validate();
}

void NewProjectDialog::validate()
{
    const QDir d(m_dir->text());
    const bool dirOk = !m_dir->text().trimmed().isEmpty() && (!d.exists() || d.isEmpty());
    m_dir->setToolTip(dirOk ? QString() : QStringLiteral("Choose a folder that does not exist yet or is empty"));
    m_ok->setEnabled(dirOk && m_sources->count() > 0);
}

QString NewProjectDialog::projectDir() const
{
    return m_dir->text().trimmed();
}

IngestOptions NewProjectDialog::options() const
{
    IngestOptions o;
    o.format = m_format->currentText();
    for (int i = 0; i < m_sources->count(); ++i)
        o.paths << m_sources->item(i)->text();
    o.imagesDir = m_images->text().trimmed();
    o.limit = m_limit->value() > 0 ? m_limit->value() : -1;
    return o;
}

} // namespace rs
