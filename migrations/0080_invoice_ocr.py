# Invoice.ocr: the OCR reference the billing system gave the invoice; empty
# when it gave none (the portal then derives one from the invoice number).
#
# Added with its default in one ALTER TABLE (SQLite and PostgreSQL alike):
# the migrator's add_column would add a NOT NULL column on SQLite by copying
# the table, and a copied table loses the row tally's triggers (see 0050).
from peewee import *

def up(migrator, db):
    db.execute_sql('ALTER TABLE "invoice" ADD COLUMN "ocr" VARCHAR(255) NOT NULL DEFAULT \'\'')


def down(migrator, db):
    db.execute_sql('ALTER TABLE "invoice" DROP COLUMN "ocr"')
