"""Impose the print pack as a saddle-stitched booklet with pikepdf (MPL): each page a form XObject
placed on a landscape sheet, two pages a side, in booklet order.

Page operations do not keep the structure tree, so the booklet is not tagged: it is a print
artefact, and the pack PDF is the accessible edition.
"""
