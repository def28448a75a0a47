-- Publishes a subscriber's probe on the events channel: a subscriber that may have missed events
-- knows it hears the channel again once its probe comes back.
-- KEYS[1] messages:events, untouched: it takes the call to the board's slot, where the channel is
-- ARGV[1] pub/sub channel, ARGV[2] payload, ARGV[3] PUBLISH on one server, SPUBLISH on a cluster
return redis.call(ARGV[3], ARGV[1], ARGV[2])
