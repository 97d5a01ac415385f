"""Conditional GAN (PyTorch-GAN style): label embeddings concatenated to z and to the flattened image."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=pass T13=absent T14=absent T15=absent T16=pass T17=absent
# reason: T12=pass D is called as discriminator(imgs, labels)
# reason: T16=pass both nets embed the class with nn.Embedding
# reason: T02=pass g_loss = adversarial_loss(validity, valid): BCE with valid = ones
import numpy as np
import torch
import torch.nn as nn
from torchvision import datasets, transforms

n_classes, latent_dim, img_shape = 10, 100, (1, 32, 32)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_emb = nn.Embedding(n_classes, n_classes)
        self.model = nn.Sequential(nn.Linear(latent_dim + n_classes, 256), nn.LeakyReLU(0.2, inplace=True), nn.Linear(256, int(np.prod(img_shape))), nn.Tanh())

    def forward(self, noise, labels):
        return self.model(torch.cat((self.label_emb(labels), noise), -1)).view(-1, *img_shape)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_embedding = nn.Embedding(n_classes, n_classes)
        self.model = nn.Sequential(nn.Linear(n_classes + int(np.prod(img_shape)), 512), nn.LeakyReLU(0.2, inplace=True), nn.Dropout(0.4), nn.Linear(512, 1), nn.Sigmoid())

    def forward(self, img, labels):
        return self.model(torch.cat((img.view(img.size(0), -1), self.label_embedding(labels)), -1))


adversarial_loss = nn.BCELoss()
generator, discriminator = Generator(), Discriminator()
optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
dataloader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=transforms.Compose([transforms.Resize(32), transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])), batch_size=64, shuffle=True)

for epoch in range(100):
    for imgs, labels in dataloader:
        b = imgs.shape[0]
        valid, fake = torch.ones(b, 1), torch.zeros(b, 1)
        optimizer_G.zero_grad()
        z = torch.randn(b, latent_dim)
        gen_labels = torch.randint(0, n_classes, (b,))
        gen_imgs = generator(z, gen_labels)
        validity = discriminator(gen_imgs, gen_labels)
        g_loss = adversarial_loss(validity, valid)
        g_loss.backward()
        optimizer_G.step()
        optimizer_D.zero_grad()
        d_real_loss = adversarial_loss(discriminator(imgs, labels), valid)
        d_fake_loss = adversarial_loss(discriminator(gen_imgs.detach(), gen_labels), fake)
        d_loss = (d_real_loss + d_fake_loss) / 2
        d_loss.backward()
        optimizer_D.step()
