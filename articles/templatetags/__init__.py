"""Template tags: story bodies, bylines and cards (`newsroom`), responsive pictures
(`pictures`), metadata in <head> (`distribution`) and the admin dashboard (`newsroom_admin`)."""
