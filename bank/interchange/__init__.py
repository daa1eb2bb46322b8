"""Moving questions to and from other systems: Moodle XML, GIFT, and the bank's own text format.

`types`, `text`, `moodle_xml`, `gift` and `detect` are plain Python (files <-> `Item`s);
`mapping` maps `Item`s to and from the models; `files` is the service the commands and the
admin call.
"""
