"""What every part of civic uses: database, i18n, permissions, audit, mail, security."""
