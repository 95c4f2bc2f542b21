"""Writes objects straight onto the bench bed's disks, for seeding at a million objects (bench/seed-disk.ts).

  seed-disk.py swift BED_DIR ACCOUNT CONTAINER   through Swift's own DiskFile and ContainerBroker, the code the
                                                 object and container servers run (the container must exist)
  seed-disk.py nsfs BUCKET_DIR CONTAINER         as NooBaa NSFS stores a copier's PUT: the file, with the copier's
                                                 metadata and NooBaa's own attributes as xattrs

Objects come on stdin as frames: name length and body length (two little-endian uint32), the UTF-8 name, the body.
Prints {"objects": N, "seconds": S} at the end.
"""
import base64
import hashlib
import json
import logging
import os
import struct
import sys
import time

CONTENT_TYPE = 'application/octet-stream'


def frames(stream):
    while True:
        head = stream.read(8)
        if len(head) < 8:
            return
        name_length, body_length = struct.unpack('<II', head)
        yield stream.read(name_length).decode('utf-8'), stream.read(body_length)


def swift_writer(bed, account, container):
    import types
    import swift.common.utils as utils
    import swift.obj.diskfile as diskfile
    from swift.common.ring import Ring
    from swift.common.storage_policy import POLICIES
    from swift.container.backend import ContainerBroker

    # A seeding needs neither durability nor eventlet's thread pool: without them a write is a few syscalls, not a
    # round trip to a thread and an fsync of the file and each of its directories.
    for module in (diskfile, utils):
        module.fsync = module.fdatasync = module.fsync_dir = lambda *args, **kwargs: None
    diskfile.drop_buffer_cache = lambda *args: None
    diskfile.tpool = types.SimpleNamespace(execute=lambda function, *args, **kwargs: function(*args, **kwargs))

    etc, devices = os.path.join(bed, 'etc'), os.path.join(bed, 'srv')
    policy = POLICIES[0]
    policy.load_ring(etc)
    manager = diskfile.DiskFileRouter({'devices': devices, 'mount_check': 'false', 'swift_dir': etc}, logging.getLogger('seed-disk'))[policy]
    objects = Ring(etc, ring_name='object')
    part = Ring(etc, ring_name='container').get_part(account, container)
    hashed = utils.hash_path(account, container)
    db = os.path.join(devices, 'd1', utils.storage_directory('containers', part, hashed), hashed + '.db')
    if not os.path.exists(db):
        sys.exit('no container database at %s: create the container first' % db)
    broker = ContainerBroker(db, account=account, container=container)
    rows = []

    def write(name, body):
        timestamp = utils.Timestamp(time.time())
        etag = hashlib.md5(body).hexdigest()
        disk = manager.get_diskfile('d1', objects.get_part(account, container, name), account, container, name, policy=policy)
        with disk.create(size=len(body)) as writer:
            writer.write(body)
            writer.put({'ETag': etag, 'X-Timestamp': timestamp.internal, 'Content-Length': str(len(body)),
                        'Content-Type': CONTENT_TYPE, 'name': '/%s/%s/%s' % (account, container, name)})
            writer.commit(timestamp)
        rows.append({'name': name, 'created_at': timestamp.internal, 'size': len(body), 'content_type': CONTENT_TYPE,
                     'etag': etag, 'deleted': 0, 'storage_policy_index': policy.idx})
        if len(rows) >= 10000:
            flush()

    def flush():
        broker.merge_items(rows)
        rows.clear()

    return write, flush


def nsfs_writer(bucket_dir, container):
    os.umask(0o007)
    made = set()
    mtime = ('%.5f' % time.time()).encode()

    def write(name, body):
        path = os.path.join(bucket_dir, name)
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, mode=0o770, exist_ok=True)
            made.add(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o660)
        try:
            os.write(fd, body)
            # What NooBaa keeps of the copier's PUT: x-amz-meta-* as user.*, its own as user.noobaa.*; no
            # user.content_md5 (the ETag then would be the MD5, as only a force_md5_etag bucket has it).
            os.setxattr(fd, 'user.md5chksum', base64.b64encode(hashlib.md5(body).digest()))
            os.setxattr(fd, 'user.mtime', mtime)
            os.setxattr(fd, 'user.swift-container', container.encode())
            os.setxattr(fd, 'user.storage_class', b'STANDARD')
            os.setxattr(fd, 'user.noobaa.content_type', CONTENT_TYPE.encode())
        finally:
            os.close(fd)

    return write, lambda: None


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    write, flush = swift_writer(*args) if mode == 'swift' else nsfs_writer(*args)
    started, count = time.time(), 0
    for name, body in frames(sys.stdin.buffer):
        write(name, body)
        count += 1
    flush()
    print(json.dumps({'objects': count, 'seconds': time.time() - started}))


main()
