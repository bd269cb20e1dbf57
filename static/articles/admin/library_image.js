/* The body editor's pictures from the library (loaded by django-prose-editor as an
   extension module, see DJANGO_PROSE_EDITOR_EXTENSIONS in newsroom/settings.py).

   Image: the editor's own image node, plus the library picture's id
   (<img data-image-id="12" …>), so the public page serves the picture through its
   renditions with srcset (articles/body_images.py). Without it the editor would drop the
   attribute, and the reference with it, on the next save.
   Credit: <small class="credit"> inside a figure's caption, as the site styles it. */
import { Image as EditorImage, Mark } from "django-prose-editor/editor"

export const Image = EditorImage.extend({
  addAttributes() {
    return {
      ...this.parent?.(),
      imageId: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-image-id"),
        renderHTML: (attributes) =>
          attributes.imageId ? { "data-image-id": attributes.imageId } : {},
      },
    }
  },
})

export const Credit = Mark.create({
  name: "credit",
  parseHTML() {
    return [{ tag: "small.credit" }]
  },
  renderHTML() {
    return ["small", { class: "credit" }, 0]
  },
})
