// Imported before React: unless the environment says otherwise, React runs its production build.
// Its development build records an owner stack for every element it creates, which on this
// dashboard costs more than the drawing itself, on the thread that trains.
process.env.NODE_ENV ??= 'production';
