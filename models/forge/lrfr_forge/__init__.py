"""The LRFR model forge: trains and exports the models the app ships."""
