/* acorn backup, restore and stream (backup.c). */
#ifndef BACKUP_H
#define BACKUP_H

struct config;

int	 backup_make(const struct config *, const char *, const char *);
int	 backup_restore(const struct config *, const char *, const char *);
int	 backup_stream(const struct config *, int);

#endif
