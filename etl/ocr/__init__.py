"""Reading scanned and image-only reports: an OCR engine adapter, page images, table grids, trust.

`engine` hides the OCR engine behind one small interface; `image` prepares a page image (red seals out,
light flattened, deskewed, perspective undone); `grid` finds a ruled table's cells in the image and puts
the read text into them; `trust` marks every value read this way and lets the table's identities judge
doubtful readings. The reader that builds a `Document` from all this is `etl/readers/ocr.py`.
"""
