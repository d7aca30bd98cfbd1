"""Synthcity plugin modules, one per generator, laid out as in Synthcity's plugins/<type>/."""
