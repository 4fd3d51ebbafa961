// Comments under a video (PeerTube's comment threads): the list, newest first, each thread's
// replies on demand, a form for logged-in users, and delete for the author, the video owner and
// admins. Comment text is plain text: it only ever goes through textContent (dom.js `el`).
import {
  addComment, ApiError, deleteComment, getCommentThread, getMe, isLoggedIn, listCommentThreads, replyToComment,
} from './api.js';
import { el, formatDate, formatRelative, plural, setMessage, show } from './dom.js';

/** @typedef {import('./api.js').Comment} Comment */
/** @typedef {import('./api.js').CommentTree} CommentTree */
/** @typedef {import('./api.js').User} User */

const PAGE_SIZE = 20;
const ADMINISTRATOR = 0;

export class CommentsSection {
  /** @type {HTMLElement} */
  #root;
  /** @type {import('./api.js').Video} */
  #video;
  /** @type {string | number} The uuid: an unlisted video is not found by its numeric id. */
  #ref;
  /** @type {string | undefined} */
  #password;
  /** @type {User | null} */
  #me = null;
  /** @type {HTMLOListElement} */
  #list;
  /** @type {HTMLHeadingElement} */
  #title;
  /** @type {HTMLButtonElement} */
  #more;
  #loaded = 0;

  /**
   * `root`: the section element (#comments); `password`: for a password-protected video.
   * @param {HTMLElement} root
   * @param {import('./api.js').Video} video
   * @param {{ password?: string }} [options]
   */
  constructor(root, video, { password } = {}) {
    this.#root = root;
    this.#video = video;
    this.#ref = video.uuid ?? video.id;
    this.#password = password;
    this.#title = el('h2', { className: 'comments-title', text: 'Comments' });
    this.#list = el('ol', { className: 'comment-list', id: 'comment-list' });
    this.#more = el('button', { type: 'button', className: 'button ghost', text: 'More comments', hidden: true, on: { click: () => void this.#loadPage() } });
    root.replaceChildren(this.#title, this.#form(), this.#list, this.#more);
    show(root, true);
  }

  async load() {
    if (isLoggedIn()) this.#me = await getMe().catch(() => null);
    this.#root.querySelector('.comment-form')?.toggleAttribute('hidden', !this.#me);
    this.#root.querySelector('.comment-login')?.toggleAttribute('hidden', Boolean(this.#me));
    this.#list.replaceChildren();
    this.#loaded = 0;
    await this.#loadPage();
  }

  get #options() {
    return { password: this.#password };
  }

  async #loadPage() {
    try {
      const page = await listCommentThreads(this.#ref, { ...this.#options, start: this.#loaded, count: PAGE_SIZE });
      this.#loaded += page.data.length;
      this.#title.textContent = page.total ? plural(page.total, 'comment') : 'Comments';
      for (const comment of page.data) this.#list.append(this.#item(comment));
      show(this.#more, this.#loaded < page.total);
    } catch (error) {
      this.#list.append(el('li', { className: 'comment-error', text: `Comments could not be loaded: ${error instanceof Error ? error.message : error}` }));
    }
  }

  /**
   * The form of a new comment, or (with `parent`) of a reply, which `onDone` shows.
   * @param {Comment | null} [parent]
   * @param {((created: Comment) => void) | null} [onDone]
   */
  #form(parent = null, onDone = null) {
    const text = el('textarea', { className: 'comment-text', required: true, maxLength: 10000, rows: parent ? 2 : 3,
      placeholder: parent ? 'Write a reply' : 'Add a comment', attrs: { 'aria-label': parent ? 'Reply' : 'Comment' } });
    const message = el('p', { className: 'form-message', hidden: true, attrs: { role: 'alert' } });
    const submit = el('button', { type: 'submit', className: 'button primary', text: parent ? 'Reply' : 'Comment' });
    const form = el('form', { className: 'comment-form', hidden: !this.#me && !parent }, text, el('div', { className: 'comment-form-actions' }, submit), message);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = text.value.trim();
      if (!value) return setMessage(message, 'A comment cannot be empty');
      submit.disabled = true;
      try {
        const { comment } = parent
          ? await replyToComment(this.#ref, parent.id, value, this.#options)
          : await addComment(this.#ref, value, this.#options);
        text.value = '';
        setMessage(message, '');
        if (onDone) onDone(comment);
        else {
          this.#list.prepend(this.#item(comment));
          this.#loaded++;
        }
      } catch (error) {
        setMessage(message, error instanceof ApiError ? error.detail : String(error));
      } finally {
        submit.disabled = false;
      }
    });
    if (parent) return form;
    return el('div', {}, form, el('p', { className: 'comment-login muted', text: 'Log in to comment.', hidden: Boolean(this.#me) }));
  }

  #canDelete(/** @type {Comment} */ comment) {
    const me = this.#me;
    if (!me) return false;
    return me.account?.id === comment.account?.id || me.role?.id === ADMINISTRATOR || me.account?.id === this.#video.account?.id;
  }

  /** @param {Comment} comment @param {{ reply?: boolean }} [options] */
  #item(comment, { reply = false } = {}) {
    const replies = el('ol', { className: 'comment-replies', hidden: true });
    const actions = el('div', { className: 'comment-actions' });
    const item = el('li', { className: 'comment', dataset: { commentId: String(comment.id) } },
      el('p', { className: 'comment-head' },
        el('span', { className: 'comment-author', text: comment.account?.displayName || comment.account?.name || '' }),
        ' ',
        el('time', { className: 'muted', text: formatRelative(comment.createdAt), title: formatDate(comment.createdAt), dateTime: comment.createdAt })),
      // Plain text: textContent, with the line breaks kept by CSS (white-space: pre-wrap).
      el('p', { className: 'comment-body', text: comment.text }),
      actions,
      replies);
    if (!reply && comment.totalReplies > 0) {
      actions.append(el('button', { type: 'button', className: 'button ghost small', text: `View ${plural(comment.totalReplies, 'reply', 'replies')}`,
        on: { click: (event) => { event.currentTarget.remove(); void this.#showReplies(comment, replies); } } }));
    }
    if (this.#me) {
      actions.append(el('button', { type: 'button', className: 'button ghost small', text: 'Reply', on: { click: (event) => {
        event.currentTarget.disabled = true;
        item.insertBefore(this.#form(comment, (created) => {
          show(replies, true);
          replies.append(this.#item(created, { reply: true }));
        }), replies);
      } } }));
    }
    if (this.#canDelete(comment)) {
      actions.append(el('button', { type: 'button', className: 'button ghost small danger', text: 'Delete', on: { click: async () => {
        if (!confirm('Delete this comment and its replies?')) return;
        try {
          await deleteComment(this.#ref, comment.id, this.#options);
          item.remove();
        } catch (error) {
          alert(error instanceof Error ? error.message : error);
        }
      } } }));
    }
    return item;
  }

  /** @param {Comment} comment @param {HTMLElement} container */
  async #showReplies(comment, container) {
    try {
      const tree = await getCommentThread(this.#ref, comment.threadId, this.#options);
      /** @type {(node: CommentTree) => Comment[]} */
      const flatten = (node) => node.children.flatMap((child) => [child.comment, ...flatten(child)]);
      container.replaceChildren(...flatten(tree).map((child) => this.#item(child, { reply: true })));
      show(container, true);
    } catch (error) {
      container.replaceChildren(el('li', { className: 'comment-error', text: error instanceof Error ? error.message : undefined }));
      show(container, true);
    }
  }
}
